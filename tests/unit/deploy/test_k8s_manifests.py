"""Offline checks of the Kubernetes manifests under deploy/k8s.

* Core kinds are validated against the official Kubernetes JSON schemas shipped by the
  `kubernetes-validate` package (strict: unknown fields are errors), for the oldest and the
  newest Kubernetes version we support.
* Custom resources (KEDA ScaledObject, ServiceMonitor, PrometheusRule) and the
  Kustomization are validated against the JSON Schemas in deploy/k8s/schemas/.
* Cross-references: selectors, ports, probes, ConfigMap/Secret keys against the settings
  classes the services read, the ScaledObject against the worker's consumer group and
  topics, the alert expressions against the metrics the services export.

Every cross-reference check is a function returning a list of problems; besides running it
on the real manifests, `test_check_catches_broken_manifest` runs it on a deliberately broken
copy, so each check is shown to be able to fail.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase
from pydantic import SecretStr
from pydantic_settings import BaseSettings

import services.gateway.observability.metrics as gateway_metrics
import services.platform.outbox.parking as outbox_parking
import services.sync_worker.observability.metrics as worker_metrics
from services.gateway.settings import GatewaySettings
from services.sync_worker.entrypoints.worker_app import CONSUMED_TOPICS
from services.sync_worker.settings import WorkerSettings

Doc = dict[str, Any]

K8S_DIR = Path(__file__).resolve().parents[3] / "deploy" / "k8s"
SCHEMA_DIR = K8S_DIR / "schemas"
SECRET_TEMPLATE = "secret.template.yaml"
# Oldest Kubernetes minor we support, and the newest the installed package knows.
K8S_VERSIONS = ("1.30", kubernetes_validate.latest_version())
CRD_SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): "scaledobject.schema.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "servicemonitor.schema.json",
    ("monitoring.coreos.com/v1", "PrometheusRule"): "prometheusrule.schema.json",
}
CLUSTER_SCOPED = {"Namespace"}
# Which settings class each container's command runs.
SETTINGS_BY_MODULE: dict[str, type[BaseSettings]] = {
    "services.sync_worker": WorkerSettings,
    "services.gateway": GatewaySettings,
}
# The port setting each service listens on (the container port named "http").
PORT_SETTING = {"services.sync_worker": "worker_http_port", "services.gateway": "gateway_port"}
# ... and the host setting, which must be every interface for the kubelet's probes to reach.
HOST_SETTING = {"services.sync_worker": "worker_http_host", "services.gateway": "gateway_host"}
ALL_INTERFACES = {"0.0.0.0", "::"}
SECRET_KEYS = {
    "DATABASE_URL",
    "GATEWAY_ADMIN_TOKEN",
    "TOKEN_ENCRYPTION_KEYS",
    "QBO_CLIENT_SECRET",
    "QBO_WEBHOOK_VERIFIER_TOKEN",
}
PLACEHOLDER = "REPLACE_ME"
# Metrics the alerts must watch (the operational promises of the worker).
ALERTED_METRICS = {
    "sync_consumer_lag",
    "sync_work_oldest_queued_seconds",
    "sync_outbox_backlog",
    "sync_qbo_token_refresh_failures_total",
    "sync_qbo_connections",
    "sync_dead_letters_total",
    "sync_worker_heartbeat_timestamp_seconds",
    "sync_units_processed_total",
    "sync_qbo_requests_total",
    "gateway_http_requests_total",
}
# Labels Prometheus adds to every scraped series (target labels), not the service.
TARGET_LABELS = {"namespace", "pod", "job", "instance", "service", "container", "endpoint"}


# --------------------------------------------------------------------------- loading


def manifest_files() -> list[Path]:
    return sorted(p for p in K8S_DIR.glob("*.yaml") if p.name != "kustomization.yaml")


def load_docs() -> list[Doc]:
    docs: list[Doc] = []
    for path in manifest_files():
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is not None:
                doc["__file__"] = path.name  # stripped before schema validation
                docs.append(doc)
    return docs


def load_kustomization() -> Doc:
    loaded: Doc = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    return loaded


def load_schema(name: str) -> Doc:
    loaded: Doc = json.loads((SCHEMA_DIR / name).read_text())
    return loaded


def plain(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if k != "__file__"}


def doc_id(doc: Doc) -> str:
    return f"{doc.get('__file__')}:{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


DOCS = load_docs()
CORE_DOCS = [d for d in DOCS if (d.get("apiVersion"), d.get("kind")) not in CRD_SCHEMAS]
CRD_DOCS = [d for d in DOCS if (d.get("apiVersion"), d.get("kind")) in CRD_SCHEMAS]


def of_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d.get("kind") == kind]


def one(docs: list[Doc], kind: str, name: str) -> Doc | None:
    return next((d for d in of_kind(docs, kind) if d["metadata"]["name"] == name), None)


def containers(deployment: Doc) -> list[Doc]:
    result: list[Doc] = deployment["spec"]["template"]["spec"]["containers"]
    return result


def service_module(container: Doc) -> str | None:
    command = list(container.get("command", [])) + list(container.get("args", []))
    for i, word in enumerate(command[:-1]):
        if word == "-m" and command[i + 1] in SETTINGS_BY_MODULE:
            return str(command[i + 1])
    return None


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


# The objects env can come from: (the envFrom reference, the valueFrom key reference) to each.
ENV_SOURCES = {
    "ConfigMap": ("configMapRef", "configMapKeyRef"),
    "Secret": ("secretRef", "secretKeyRef"),
}


def provided(doc: Doc | None) -> dict[str, tuple[str, Any]]:
    """What a ConfigMap (with values) or a Secret (names only: never read) puts in env."""
    if doc is None:
        return {}
    if doc["kind"] == "ConfigMap":
        return {key: ("configmap", value) for key, value in doc.get("data", {}).items()}
    return {key: ("secret", None) for key in {**doc.get("data", {}), **doc.get("stringData", {})}}


def key_ref(value_from: Doc) -> tuple[str, Doc] | None:
    """(kind, its {name, key}) where a valueFrom reads one key of a ConfigMap or Secret."""
    for kind, (_, ref) in ENV_SOURCES.items():
        if ref in value_from:
            return kind, value_from[ref]
    return None


def env_of(container: Doc, docs: list[Doc], problems: list[str]) -> dict[str, tuple[str, Any]]:
    """NAME -> (source, value): source is configmap, secret, field or value."""
    env: dict[str, tuple[str, Any]] = {}
    where = container["name"]
    for source in container.get("envFrom", []):
        for kind, (ref, _) in ENV_SOURCES.items():
            if ref in source:
                doc_name = source[ref]["name"]
                doc = one(docs, kind, doc_name)
                if doc is None:
                    problems.append(f"{where}: envFrom {kind} {doc_name!r} is not declared")
                env.update(provided(doc))
    for var in container.get("env", []):
        name, ref = var["name"], var.get("valueFrom", {})
        if "value" in var:
            env[name] = ("value", var["value"])
        elif "fieldRef" in ref:
            env[name] = ("field", ref["fieldRef"]["fieldPath"])
        elif (found := key_ref(ref)) is not None:
            kind, selector = found
            key = selector["key"]
            value = provided(one(docs, kind, selector["name"])).get(key)
            if value is None:
                problems.append(f"{where}: {name} refers to a missing {kind} key {key!r}")
                continue
            env[name] = value
        else:
            problems.append(f"{where}: {name} has no value this check understands")
    return env


def setting(env: dict[str, tuple[str, Any]], cls: type[BaseSettings], field: str) -> Any:
    """The value a container will see for a setting: its env value or the field's default."""
    source = env.get(field.upper())
    if source is not None and source[0] in ("configmap", "value"):
        return source[1]
    info = cls.model_fields.get(field)
    return None if info is None else info.default


def worker_container(docs: list[Doc]) -> tuple[Doc, dict[str, tuple[str, Any]]] | None:
    for deployment in of_kind(docs, "Deployment"):
        for container in containers(deployment):
            if service_module(container) == "services.sync_worker":
                return container, env_of(container, docs, [])
    return None


# --------------------------------------------------------------------------- checks


def check_namespaces(docs: list[Doc]) -> list[str]:
    namespaces = of_kind(docs, "Namespace")
    if len(namespaces) != 1:
        return [f"expected exactly one Namespace, found {len(namespaces)}"]
    name = namespaces[0]["metadata"]["name"]
    problems = []
    for doc in docs:
        if doc["kind"] not in CLUSTER_SCOPED and doc["metadata"].get("namespace") != name:
            problems.append(f"{doc_id(doc)} is not in namespace {name!r}")
    kustomize_ns = load_kustomization().get("namespace")
    if kustomize_ns != name:
        problems.append(f"kustomization namespace {kustomize_ns!r} != Namespace {name!r}")
    return problems


def check_workloads(docs: list[Doc]) -> list[str]:
    """Selectors match pod labels; Services and PDBs select a Deployment; HA replicas."""
    problems = []
    deployments = of_kind(docs, "Deployment")
    for d in deployments:
        labels = d["spec"]["template"]["metadata"].get("labels", {})
        if not matches(d["spec"]["selector"].get("matchLabels", {}), labels):
            problems.append(f"{doc_id(d)}: selector does not match its pod template labels")
        if d["spec"].get("replicas", 1) < 2:
            problems.append(f"{doc_id(d)}: fewer than 2 replicas")
        if not any(
            matches(p["spec"]["selector"].get("matchLabels", {}), labels)
            for p in of_kind(docs, "PodDisruptionBudget")
        ):
            problems.append(f"{doc_id(d)}: no PodDisruptionBudget covers its pods")
    for pdb in of_kind(docs, "PodDisruptionBudget"):
        selector = pdb["spec"]["selector"].get("matchLabels", {})
        if not any(
            matches(selector, d["spec"]["template"]["metadata"].get("labels", {}))
            for d in deployments
        ):
            problems.append(f"{doc_id(pdb)}: selects no Deployment's pods")
    for svc in of_kind(docs, "Service"):
        selected = [
            d
            for d in deployments
            if matches(svc["spec"].get("selector", {}), d["spec"]["template"]["metadata"]["labels"])
        ]
        if not selected:
            problems.append(f"{doc_id(svc)}: selects no Deployment's pods")
            continue
        for port in svc["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            for d in selected:
                declared = [p for c in containers(d) for p in c.get("ports", [])]
                if not any(target in (p.get("name"), p["containerPort"]) for p in declared):
                    problems.append(f"{doc_id(svc)}: targetPort {target!r} not declared by pods")
    return problems


def check_ports_and_probes(docs: list[Doc]) -> list[str]:
    """Probes and scrape annotations point at declared ports the service listens on."""
    problems = []
    expected_paths = {"livenessProbe": "/healthz", "readinessProbe": "/readyz"}
    for d in of_kind(docs, "Deployment"):
        pod = d["spec"]["template"]
        declared = {
            p["containerPort"]: p.get("name") for c in containers(d) for p in c.get("ports", [])
        }
        names = {name: number for number, name in declared.items() if name}
        for c in containers(d):
            where = f"{doc_id(d)} container {c['name']}"
            for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
                probe = c.get(kind)
                if probe is None:
                    if kind in expected_paths:
                        problems.append(f"{where}: no {kind}")
                    continue
                port = probe.get("httpGet", {}).get("port")
                if port not in names and port not in declared:
                    problems.append(f"{where}: {kind} port {port!r} is not a declared port")
                want = expected_paths.get(kind)
                if want and probe.get("httpGet", {}).get("path") != want:
                    problems.append(f"{where}: {kind} path is not {want}")
            module = service_module(c)
            if module is None:
                problems.append(f"{where}: runs no known service module")
                continue
            env, cls = env_of(c, docs, []), SETTINGS_BY_MODULE[module]
            listens = setting(env, cls, PORT_SETTING[module])
            if listens is None or int(listens) != names.get("http"):
                problems.append(
                    f"{where}: listens on {PORT_SETTING[module]}={listens!r} but port "
                    f"'http' is {names.get('http')!r}"
                )
            host = setting(env, cls, HOST_SETTING[module])
            if host not in ALL_INTERFACES:
                problems.append(
                    f"{where}: {HOST_SETTING[module].upper()}={host!r} is unreachable from the "
                    "kubelet; set it to 0.0.0.0"
                )
        annotations = pod["metadata"].get("annotations", {})
        if annotations.get("prometheus.io/scrape") != "true":
            problems.append(f"{doc_id(d)}: pods lack prometheus.io/scrape: 'true'")
        scrape_port = annotations.get("prometheus.io/port", "")
        if not scrape_port.isdigit() or int(scrape_port) not in declared:
            problems.append(f"{doc_id(d)}: prometheus.io/port {scrape_port!r} is not declared")
        if annotations.get("prometheus.io/path") != "/metrics":
            problems.append(f"{doc_id(d)}: prometheus.io/path is not /metrics")
    return problems


def check_env_matches_settings(docs: list[Doc]) -> list[str]:
    """Every variable given to a container is a setting its service reads, secrets come only
    from the Secret, required settings are given, and no ConfigMap/Secret key is unused."""
    problems: list[str] = []
    used: set[tuple[str, str, str]] = set()
    for d in of_kind(docs, "Deployment"):
        for c in containers(d):
            module = service_module(c)
            if module is None:
                problems.append(f"{doc_id(d)}: container {c['name']} runs no known service")
                continue
            cls = SETTINGS_BY_MODULE[module]
            env = env_of(c, docs, problems)
            for name, (source, _) in env.items():
                field = cls.model_fields.get(name.lower())
                if name != name.upper() or field is None:
                    problems.append(f"{c['name']}: {name} is not a {cls.__name__} setting")
                    continue
                secret_field = SecretStr in (
                    field.annotation,
                    *getattr(field.annotation, "__args__", ()),
                )
                if secret_field and source != "secret":
                    problems.append(f"{c['name']}: secret {name} must come from a Secret")
            for field_name, info in cls.model_fields.items():
                if info.is_required() and field_name.upper() not in env:
                    problems.append(f"{c['name']}: required {field_name.upper()} is not given")
            for source in c.get("envFrom", []):
                for kind, ref in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                    if ref in source:
                        obj = one(docs, kind, source[ref]["name"]) or {}
                        for key in {**obj.get("data", {}), **obj.get("stringData", {})}:
                            used.add((kind, source[ref]["name"], key))
            for var in c.get("env", []):
                for kind, ref in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                    if ref in var.get("valueFrom", {}):
                        r = var["valueFrom"][ref]
                        used.add((kind, r["name"], r["key"]))
    for kind in ("ConfigMap", "Secret"):
        for obj in of_kind(docs, kind):
            for key in {**obj.get("data", {}), **obj.get("stringData", {})}:
                if (kind, obj["metadata"]["name"], key) not in used:
                    problems.append(f"{doc_id(obj)}: key {key} is given to no container")
    return problems


def check_secret_template(docs: list[Doc]) -> list[str]:
    problems = []
    secrets = of_kind(docs, "Secret")
    if [s["__file__"] for s in secrets] != [SECRET_TEMPLATE]:
        problems.append(f"the only Secret must be the template {SECRET_TEMPLATE}")
    for secret in secrets:
        if "data" in secret:
            problems.append(f"{doc_id(secret)}: use stringData placeholders, not data")
        values = secret.get("stringData", {})
        if set(values) != SECRET_KEYS:
            problems.append(f"{doc_id(secret)}: keys {sorted(values)} != {sorted(SECRET_KEYS)}")
        for key, value in values.items():
            if not str(value).startswith(PLACEHOLDER):
                problems.append(f"{doc_id(secret)}: {key} is not a {PLACEHOLDER} placeholder")
    if SECRET_TEMPLATE in load_kustomization().get("resources", []):
        problems.append("kustomization.yaml must not apply the Secret template")
    return problems


def check_hardening(docs: list[Doc]) -> list[str]:
    problems = []
    for d in of_kind(docs, "Deployment"):
        pod = d["spec"]["template"]["spec"]
        if pod.get("securityContext", {}).get("runAsNonRoot") is not True:
            problems.append(f"{doc_id(d)}: pod securityContext.runAsNonRoot is not true")
        for c in containers(d):
            where = f"{doc_id(d)} container {c['name']}"
            sc = c.get("securityContext", {})
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: root filesystem is writable")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: allowPrivilegeEscalation is not false")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                problems.append(f"{where}: capabilities are not all dropped")
            resources = c.get("resources", {})
            for bound in ("requests", "limits"):
                for res in ("cpu", "memory"):
                    if res not in resources.get(bound, {}):
                        problems.append(f"{where}: no {bound}.{res}")
    return problems


def check_graceful_shutdown(docs: list[Doc]) -> list[str]:
    found = worker_container(docs)
    if found is None:
        return ["no Deployment runs services.sync_worker"]
    _, env = found
    deployment = next(
        d for d in of_kind(docs, "Deployment") if any(c is found[0] for c in containers(d))
    )
    grace = deployment["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
    drain = float(setting(env, WorkerSettings, "shutdown_grace_seconds"))
    # The drain, then up to 10 s for the relay and housekeeping, 5 s for the HTTP server and
    # the time to close the producer and the pool (worker_app.drain_and_close).
    if grace < drain + 20:
        return [f"terminationGracePeriodSeconds {grace} < SHUTDOWN_GRACE_SECONDS {drain} + 20"]
    return []


def check_scaled_object(docs: list[Doc]) -> list[str]:
    objects = of_kind(docs, "ScaledObject")
    if len(objects) != 1:
        return [f"expected one ScaledObject, found {len(objects)}"]
    so = objects[0]["spec"]
    found = worker_container(docs)
    if found is None:
        return ["no Deployment runs services.sync_worker"]
    worker, env = found
    problems = []
    ref = so["scaleTargetRef"]
    target = one(docs, ref.get("kind", "Deployment"), ref["name"])
    if (
        ref.get("kind", "Deployment") != "Deployment"
        or ref.get("apiVersion", "apps/v1") != "apps/v1"
        or target is None
        or not any(c is worker for c in containers(target))
    ):
        problems.append(f"scaleTargetRef {ref} is not the sync worker Deployment")
    partitions = int(setting(env, WorkerSettings, "topic_partitions"))
    if not 2 <= so.get("minReplicaCount", 0) <= so.get("maxReplicaCount", 100) <= partitions:
        problems.append(
            f"replicas must satisfy 2 <= min <= max <= TOPIC_PARTITIONS ({partitions}): "
            f"min={so.get('minReplicaCount')} max={so.get('maxReplicaCount')}"
        )
    group = setting(env, WorkerSettings, "worker_group_id")
    bootstrap = setting(env, WorkerSettings, "kafka_bootstrap_servers")
    topics = []
    for trigger in so["triggers"]:
        meta = trigger.get("metadata", {})
        if trigger["type"] != "kafka":
            problems.append(f"trigger {trigger.get('name')} is not of type kafka")
            continue
        if meta.get("consumerGroup") != group:
            problems.append(f"trigger consumerGroup {meta.get('consumerGroup')!r} != {group!r}")
        if meta.get("bootstrapServers") != bootstrap:
            problems.append(
                f"trigger bootstrapServers {meta.get('bootstrapServers')!r} != {bootstrap!r}"
            )
        if meta.get("allowIdleConsumers") == "true":
            problems.append("allowIdleConsumers would scale past the partition count")
        if meta.get("offsetResetPolicy", "latest") != "earliest":
            problems.append("offsetResetPolicy must be earliest, like the worker's consumer")
        topics.append(meta.get("topic"))
    consumed = sorted(t.value for t in CONSUMED_TOPICS)
    if topics != [None] and sorted(t for t in topics if t) != consumed:
        problems.append(f"trigger topics {sorted(map(str, topics))} != consumed topics {consumed}")
    return problems


def check_service_monitors(docs: list[Doc]) -> list[str]:
    problems = []
    monitors = of_kind(docs, "ServiceMonitor")
    covered: set[str] = set()
    for sm in monitors:
        spec = sm["spec"]
        namespaces = spec.get("namespaceSelector", {}).get(
            "matchNames", [sm["metadata"]["namespace"]]
        )
        services = [
            s
            for s in of_kind(docs, "Service")
            if s["metadata"]["namespace"] in namespaces
            and matches(spec["selector"].get("matchLabels", {}), s["metadata"].get("labels", {}))
        ]
        if not services:
            problems.append(f"{doc_id(sm)}: selects no Service")
        for endpoint in spec.get("endpoints", []):
            if endpoint.get("path", "/metrics") != "/metrics":
                problems.append(f"{doc_id(sm)}: endpoint path is not /metrics")
            for s in services:
                if endpoint.get("port") not in [p.get("name") for p in s["spec"]["ports"]]:
                    problems.append(
                        f"{doc_id(sm)}: port {endpoint.get('port')!r} not on {doc_id(s)}"
                    )
        for s in services:
            for d in of_kind(docs, "Deployment"):
                if matches(s["spec"]["selector"], d["spec"]["template"]["metadata"]["labels"]):
                    covered.add(d["metadata"]["name"])
    for d in of_kind(docs, "Deployment"):
        if d["metadata"]["name"] not in covered:
            problems.append(f"{doc_id(d)}: no ServiceMonitor scrapes it")
    return problems


def exported_series() -> dict[str, set[str]]:
    """Series name -> label names, for every metric the worker and the gateway export."""
    series: dict[str, set[str]] = {}
    for module in (worker_metrics, gateway_metrics, outbox_parking):
        for metric in vars(module).values():
            if not isinstance(metric, MetricWrapperBase):
                continue
            name, labels = metric._name, set(metric._labelnames)
            suffixes = {
                "counter": ["_total"],
                "histogram": ["_bucket", "_sum", "_count"],
                "summary": ["_sum", "_count", ""],
            }.get(metric._type, [""])
            for suffix in suffixes:
                series[name + suffix] = labels | ({"le"} if suffix == "_bucket" else set())
    return series


METRIC_IN_EXPR = re.compile(r"\b((?:sync|gateway)_[A-Za-z0-9_]*)\s*(\{[^}]*\})?")
LABEL_MATCHER = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)")


def check_alert_metrics(docs: list[Doc]) -> list[str]:
    series = exported_series()
    problems = []
    watched: set[str] = set()
    for rule_doc in of_kind(docs, "PrometheusRule"):
        for group in rule_doc["spec"].get("groups", []):
            for rule in group.get("rules", []):
                for metric, matcher in METRIC_IN_EXPR.findall(str(rule["expr"])):
                    if metric not in series:
                        problems.append(f"{rule.get('alert')}: {metric} is not exported")
                        continue
                    watched.add(metric)
                    for label in LABEL_MATCHER.findall(matcher):
                        if label not in series[metric] | TARGET_LABELS:
                            problems.append(f"{rule.get('alert')}: {metric} has no label {label}")
    for missing in sorted(ALERTED_METRICS - watched):
        problems.append(f"no alert watches {missing}")
    return problems


CHECKS: dict[str, Callable[[list[Doc]], list[str]]] = {
    "namespaces": check_namespaces,
    "workloads": check_workloads,
    "ports_and_probes": check_ports_and_probes,
    "env_matches_settings": check_env_matches_settings,
    "secret_template": check_secret_template,
    "hardening": check_hardening,
    "graceful_shutdown": check_graceful_shutdown,
    "scaled_object": check_scaled_object,
    "service_monitors": check_service_monitors,
    "alert_metrics": check_alert_metrics,
}


# --------------------------------------------------------------------------- schema tests


def test_manifests_exist_and_are_named() -> None:
    assert manifest_files(), "no manifests under deploy/k8s"
    for doc in DOCS:
        assert isinstance(doc.get("apiVersion"), str), doc_id(doc)
        assert isinstance(doc.get("kind"), str), doc_id(doc)
        assert doc.get("metadata", {}).get("name"), doc_id(doc)
    ids = [doc_id(d).split(":", 1)[1] for d in DOCS]
    assert len(ids) == len(set(ids)), "two objects share a kind and name"


def official_schema_errors(doc: Doc, version: str) -> list[str]:
    try:
        kubernetes_validate.validate(plain(doc), version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        path = ".".join(str(p) for p in exc.path)
        return [f"{doc_id(doc)} (Kubernetes {version}) at {path}: {exc.message}"]
    except kubernetes_validate.SchemaNotFoundError as exc:
        return [f"{doc_id(doc)}: {exc.message} (add a schema under deploy/k8s/schemas/)"]
    return []


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("doc", CORE_DOCS, ids=doc_id)
def test_core_objects_match_official_schemas(doc: Doc, version: str) -> None:
    assert official_schema_errors(doc, version) == []


def crd_schema_errors(doc: Doc) -> list[str]:
    schema = load_schema(CRD_SCHEMAS[(doc["apiVersion"], doc["kind"])])
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"{doc_id(doc)} at {'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(plain(doc))
    ]


@pytest.mark.parametrize("doc", CRD_DOCS, ids=doc_id)
def test_custom_resources_match_crd_schemas(doc: Doc) -> None:
    assert crd_schema_errors(doc) == []


def test_every_custom_resource_kind_is_present() -> None:
    kinds = {(d["apiVersion"], d["kind"]) for d in CRD_DOCS}
    assert kinds == set(CRD_SCHEMAS)


def kustomization_errors(kustomization: Doc) -> list[str]:
    schema = load_schema("kustomization.schema.json")
    problems = [
        e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(kustomization)
    ]
    expected = sorted(p.name for p in manifest_files() if p.name != SECRET_TEMPLATE)
    listed = sorted(kustomization.get("resources", []))
    if listed != expected:
        problems.append(f"resources {listed} != manifests {expected}")
    return problems


def test_kustomization_lists_every_manifest_but_the_secret_template() -> None:
    assert kustomization_errors(load_kustomization()) == []


# --------------------------------------------------------------------------- cross-references


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_cross_references(name: str) -> None:
    assert CHECKS[name](copy.deepcopy(DOCS)) == []


# --------------------------------------------------------------------------- each check can fail


def find(docs: list[Doc], kind: str, name: str) -> Doc:
    found = one(docs, kind, name)
    assert found is not None, f"{kind}/{name} is gone: update the mutation"
    return found


def worker(docs: list[Doc]) -> Doc:
    return containers(find(docs, "Deployment", "sync-worker"))[0]


def _rename_namespace(docs: list[Doc]) -> None:
    find(docs, "Deployment", "gateway")["metadata"]["namespace"] = "default"


def _orphan_pdb(docs: list[Doc]) -> None:
    find(docs, "PodDisruptionBudget", "gateway")["spec"]["selector"]["matchLabels"] = {"a": "b"}


def _probe_wrong_port(docs: list[Doc]) -> None:
    worker(docs)["readinessProbe"]["httpGet"]["port"] = "metrics"


def _worker_listens_on_loopback(docs: list[Doc]) -> None:
    del find(docs, "ConfigMap", "sync-worker")["data"]["WORKER_HTTP_HOST"]


def _worker_reads_gateway_setting(docs: list[Doc]) -> None:
    worker(docs)["env"].append({"name": "GATEWAY_ADMIN_TOKEN", "value": "x"})


def _secret_in_configmap(docs: list[Doc]) -> None:
    find(docs, "ConfigMap", "sync-worker")["data"]["QBO_CLIENT_SECRET"] = "oops"
    worker(docs)["env"] = [e for e in worker(docs)["env"] if e["name"] != "QBO_CLIENT_SECRET"]


def _real_looking_secret(docs: list[Doc]) -> None:
    find(docs, "Secret", "mediaos-qbo-sync")["stringData"]["GATEWAY_ADMIN_TOKEN"] = "s3cr3t"


def _writable_root(docs: list[Doc]) -> None:
    worker(docs)["securityContext"]["readOnlyRootFilesystem"] = False


def _short_grace(docs: list[Doc]) -> None:
    find(docs, "Deployment", "sync-worker")["spec"]["template"]["spec"][
        "terminationGracePeriodSeconds"
    ] = 20


def _scale_past_partitions(docs: list[Doc]) -> None:
    find(docs, "ScaledObject", "sync-worker")["spec"]["maxReplicaCount"] = 24


def _wrong_consumer_group(docs: list[Doc]) -> None:
    trigger = find(docs, "ScaledObject", "sync-worker")["spec"]["triggers"][0]
    trigger["metadata"]["consumerGroup"] = "someone-else"


def _monitor_wrong_port(docs: list[Doc]) -> None:
    find(docs, "ServiceMonitor", "gateway")["spec"]["endpoints"][0]["port"] = "web"


def _alert_on_unknown_metric(docs: list[Doc]) -> None:
    rules = find(docs, "PrometheusRule", "mediaos-qbo-sync")["spec"]["groups"][0]["rules"]
    rules[0]["expr"] = "sum(sync_consumer_lagg) > 1"


MUTATIONS: list[tuple[str, Callable[[list[Doc]], None]]] = [
    ("namespaces", _rename_namespace),
    ("workloads", _orphan_pdb),
    ("ports_and_probes", _probe_wrong_port),
    ("ports_and_probes", _worker_listens_on_loopback),
    ("env_matches_settings", _worker_reads_gateway_setting),
    ("env_matches_settings", _secret_in_configmap),
    ("secret_template", _real_looking_secret),
    ("hardening", _writable_root),
    ("graceful_shutdown", _short_grace),
    ("scaled_object", _scale_past_partitions),
    ("scaled_object", _wrong_consumer_group),
    ("service_monitors", _monitor_wrong_port),
    ("alert_metrics", _alert_on_unknown_metric),
]


def test_every_check_has_a_mutation() -> None:
    assert {name for name, _ in MUTATIONS} == set(CHECKS)


@pytest.mark.parametrize(("check", "mutate"), MUTATIONS, ids=lambda m: getattr(m, "__name__", m))
def test_check_catches_broken_manifest(check: str, mutate: Callable[[list[Doc]], None]) -> None:
    docs = copy.deepcopy(DOCS)
    mutate(docs)
    assert CHECKS[check](docs), f"check {check} did not notice {mutate.__name__}"


def _broken_docs() -> Iterator[tuple[str, Doc]]:
    docs = copy.deepcopy(DOCS)
    container = worker(docs)
    container["livenessProbe"]["httpGett"] = container["livenessProbe"].pop("httpGet")
    yield "unknown field", find(docs, "Deployment", "sync-worker")
    docs = copy.deepcopy(DOCS)
    find(docs, "Service", "gateway")["spec"]["ports"][0]["port"] = "eighty"
    yield "wrong type", find(docs, "Service", "gateway")


@pytest.mark.parametrize(("why", "doc"), list(_broken_docs()), ids=[w for w, _ in _broken_docs()])
def test_official_schemas_catch_broken_object(why: str, doc: Doc) -> None:
    assert official_schema_errors(doc, K8S_VERSIONS[0]), why


def _broken_custom_resources() -> Iterator[tuple[str, Doc]]:
    so = copy.deepcopy(find(DOCS, "ScaledObject", "sync-worker"))
    so["spec"]["triggers"][0]["metadata"]["lagThreshold"] = 200  # the CRD wants strings
    yield "unquoted lagThreshold", so
    so = copy.deepcopy(find(DOCS, "ScaledObject", "sync-worker"))
    del so["spec"]["triggers"][0]["metadata"]["consumerGroup"]
    yield "kafka trigger without consumerGroup", so
    sm = copy.deepcopy(find(DOCS, "ServiceMonitor", "gateway"))
    sm["spec"]["endpoints"][0]["interval"] = "30 seconds"
    yield "bad duration", sm
    rule = copy.deepcopy(find(DOCS, "PrometheusRule", "mediaos-qbo-sync"))
    rule["spec"]["groups"][0]["rules"][0]["record"] = "both_alert_and_record"
    yield "alert and record", rule


@pytest.mark.parametrize(
    ("why", "doc"), list(_broken_custom_resources()), ids=[w for w, _ in _broken_custom_resources()]
)
def test_crd_schemas_catch_broken_object(why: str, doc: Doc) -> None:
    assert crd_schema_errors(doc), why


def test_kustomization_check_catches_missing_resource() -> None:
    kustomization = load_kustomization()
    kustomization["resources"] = [r for r in kustomization["resources"] if r != "gateway.yaml"]
    assert kustomization_errors(kustomization)
