"""Durability as documented: RF 3 / min.insync.replicas 2 / acks=all + idempotence in
production (k8s), 1/1 on the single-broker local stacks, and every producer the services
build waits for all in-sync replicas."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from services.platform.topic_specs import TOPIC_SPECS, min_insync_replicas

REPO = Path(__file__).resolve().parents[3]


def _configmap(name: str) -> dict[str, str]:
    docs = yaml.safe_load_all((REPO / "deploy" / "k8s" / "configmap.yaml").read_text())
    return next(d["data"] for d in docs if d["metadata"]["name"] == name)


def test_kubernetes_topics_get_three_replicas_and_two_in_sync() -> None:
    replication = int(_configmap("mediaos-qbo-sync-common")["TOPIC_REPLICATION_FACTOR"])
    assert replication == 3
    for spec in TOPIC_SPECS:
        assert spec.configs(replication)["min.insync.replicas"] == "2", spec.topic


def test_single_broker_stacks_keep_one_replica_and_say_so() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert compose["x-service-env"]["TOPIC_REPLICATION_FACTOR"] == "1"
    assert compose["services"]["kafka"]["environment"]["KAFKA_MIN_INSYNC_REPLICAS"] == 1
    assert "local dev only" in (REPO / "docker-compose.yml").read_text()
    assert min_insync_replicas(1) == 1


def test_min_insync_never_demands_every_replica_nor_rests_on_one() -> None:
    assert [min_insync_replicas(rf) for rf in (1, 2, 3, 4, 5)] == [1, 1, 2, 2, 2]


def _producer_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in (REPO / "services").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "AIOKafkaProducer":
                calls.append((str(path.relative_to(REPO)), node))
    return calls


def test_every_service_producer_uses_acks_all_and_idempotence() -> None:
    calls = _producer_calls()
    assert calls, "the services build their producers with AIOKafkaProducer"
    for where, call in calls:
        kwargs = {k.arg: k.value for k in call.keywords}
        assert isinstance(kwargs.get("acks"), ast.Constant) and kwargs["acks"].value == "all", where
        idempotent = kwargs.get("enable_idempotence")
        assert isinstance(idempotent, ast.Constant) and idempotent.value is True, where
