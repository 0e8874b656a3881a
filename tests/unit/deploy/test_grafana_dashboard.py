"""The Grafana dashboard under deploy/grafana: valid JSON, a sane layout, and every query
about metrics the services really export, with labels they really have."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.unit.deploy.test_k8s_manifests import (
    LABEL_MATCHER,
    METRIC_IN_EXPR,
    TARGET_LABELS,
    exported_series,
)

DASHBOARD = Path(__file__).resolve().parents[3] / "deploy" / "grafana" / "mediaos-qbo-sync.json"
# What an on-call engineer must find on it (the SRE promises).
MUST_SHOW = {
    "sync_units_processed_total",
    "sync_qbo_requests_total",
    "sync_work_items",
    "sync_consumer_lag",
    "sync_outbox_backlog",
    "gateway_http_requests_total",
}


def load() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return body


def queries(dashboard: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            yield panel["title"], str(target["expr"])


def check_queries(dashboard: dict[str, Any]) -> list[str]:
    series = exported_series()
    problems: list[str] = []
    for title, expr in queries(dashboard):
        found = METRIC_IN_EXPR.findall(expr)
        if not found:
            problems.append(f"{title}: query names no metric of ours: {expr}")
        for metric, matcher in found:
            if metric not in series:
                problems.append(f"{title}: {metric} is not exported")
                continue
            for label in LABEL_MATCHER.findall(matcher):
                if label not in series[metric] | TARGET_LABELS:
                    problems.append(f"{title}: {metric} has no label {label}")
    return problems


def test_every_panel_queries_exported_metrics_and_labels() -> None:
    assert check_queries(load()) == []


def test_the_check_notices_a_renamed_metric_and_a_missing_label() -> None:
    broken = copy.deepcopy(load())
    target = next(p for p in broken["panels"] if p.get("targets"))["targets"][0]
    target["expr"] = "sum(rate(sync_units_processed_totals[5m]))"
    assert any("is not exported" in p for p in check_queries(broken))
    target["expr"] = 'sum(rate(sync_units_processed_total{outcome="failed"}[5m]))'
    assert any("has no label outcome" in p for p in check_queries(broken))


def test_the_dashboard_covers_the_operational_metrics() -> None:
    shown = {metric for _, expr in queries(load()) for metric, _ in METRIC_IN_EXPR.findall(expr)}
    assert shown >= MUST_SHOW, MUST_SHOW - shown


def test_panels_have_unique_ids_a_place_and_a_datasource() -> None:
    dashboard = load()
    assert dashboard["uid"] and dashboard["title"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert variables == {"datasource", "namespace"}
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        if panel["type"] != "row":
            assert panel["targets"], panel["title"]
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
            for _, expr in queries({"panels": [panel]}):
                assert 'namespace=~"$namespace"' in expr, panel["title"]
