"""Turns QuickBooks request observations into metrics with bounded labels."""

from __future__ import annotations

from services.sync_worker.observability import metrics
from services.sync_worker.quickbooks import MetricsHook, RequestMetric


def request_result(outcome: str) -> tuple[str, str]:
    """(result, code) of one attempt: an HTTP status is grouped by class and kept as the
    code; a timeout or network error is its own result without a code."""
    if not outcome.isdigit():
        return outcome, metrics.NO_CODE
    status = int(outcome)
    if status == 429:
        return "throttled", outcome
    if status >= 500:
        return "server_error", outcome
    if status >= 400:
        return "client_error", outcome
    return "success", outcome


def quickbooks_request_recorder(*, per_realm: bool = False) -> MetricsHook:
    """The hook for QuickBooks clients. Realm ids are one series set per company and per
    replica, so they label metrics only when an operator opts in."""

    def record(m: RequestMetric) -> None:
        realm = m.realm_id if per_realm else metrics.ALL_REALMS
        result, code = request_result(m.outcome)
        metrics.QBO_REQUESTS.labels(realm, m.endpoint, result, code).inc()
        metrics.QBO_REQUEST_SECONDS.labels(m.endpoint).observe(m.duration_seconds)
        if m.rate_wait_seconds > 0:
            metrics.QBO_THROTTLE_WAIT_SECONDS.labels(realm).inc(m.rate_wait_seconds)
        if m.attempt > 1:
            metrics.QBO_RETRIES.labels(m.endpoint).inc()

    return record
