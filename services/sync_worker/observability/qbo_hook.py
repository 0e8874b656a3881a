from __future__ import annotations

from services.sync_worker.observability import metrics
from services.sync_worker.quickbooks import RequestMetric


def record_quickbooks_request(m: RequestMetric) -> None:
    metrics.QBO_REQUESTS.labels(m.realm_id, m.endpoint, m.outcome).inc()
    metrics.QBO_REQUEST_SECONDS.labels(m.endpoint).observe(m.duration_seconds)
    if m.rate_wait_seconds > 0:
        metrics.QBO_THROTTLE_WAIT_SECONDS.labels(m.realm_id).inc(m.rate_wait_seconds)
    if m.attempt > 1:
        metrics.QBO_RETRIES.labels(m.endpoint).inc()
