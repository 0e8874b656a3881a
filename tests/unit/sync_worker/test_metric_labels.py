"""Metric labels stay one dimension each, and realm ids appear only when asked for."""

from __future__ import annotations

import uuid

import pytest
from prometheus_client import REGISTRY

from services.sync_worker.observability import metrics
from services.sync_worker.observability.qbo_hook import (
    quickbooks_request_recorder,
    request_result,
)
from services.sync_worker.quickbooks import RequestMetric


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("200", ("success", "200")),
        ("400", ("client_error", "400")),
        ("429", ("throttled", "429")),
        ("503", ("server_error", "503")),
        ("timeout", ("timeout", "none")),
        ("network_error", ("network_error", "none")),
    ],
)
def test_an_attempt_has_a_result_class_and_a_code(outcome: str, expected: tuple[str, str]) -> None:
    assert request_result(outcome) == expected


def _requests(realm: str, endpoint: str, result: str, code: str) -> float:
    labels = {"realm": realm, "endpoint": endpoint, "result": result, "code": code}
    return REGISTRY.get_sample_value("sync_qbo_requests_total", labels) or 0.0


def _attempt(realm: str, endpoint: str, outcome: str) -> RequestMetric:
    return RequestMetric(realm, endpoint, outcome, 0.2, attempt=2, rate_wait_seconds=0.5)


def test_realm_ids_are_not_labels_unless_an_operator_opts_in() -> None:
    realm, endpoint = f"realm-{uuid.uuid4().hex[:8]}", f"test.{uuid.uuid4().hex[:8]}"
    quickbooks_request_recorder()(_attempt(realm, endpoint, "429"))
    assert _requests("all", endpoint, "throttled", "429") == 1
    assert _requests(realm, endpoint, "throttled", "429") == 0

    quickbooks_request_recorder(per_realm=True)(_attempt(realm, endpoint, "503"))
    assert _requests(realm, endpoint, "server_error", "503") == 1
    waited = REGISTRY.get_sample_value("sync_qbo_throttle_wait_seconds_total", {"realm": realm})
    assert waited == 0.5


def test_a_unit_result_and_its_code_are_separate_labels() -> None:
    kind = f"k{uuid.uuid4().hex[:6]}"
    metrics.record_unit_end(kind, "failed", "PRODUCT_NOT_MAPPED")
    metrics.record_unit_end(kind, "succeeded", "")
    get = REGISTRY.get_sample_value
    assert (
        get(
            "sync_units_processed_total",
            {"kind": kind, "result": "failed", "code": "PRODUCT_NOT_MAPPED"},
        )
        == 1
    )
    assert (
        get("sync_units_processed_total", {"kind": kind, "result": "succeeded", "code": "none"})
        == 1
    )
