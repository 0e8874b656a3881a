"""Every metric the worker exports. Labels are bounded: no invoice or event ids, and realm
ids only when an operator opts in (METRICS_PER_REALM)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter(
    "sync_events_consumed_total",
    "Consumed records by topic and outcome (stored, duplicate, dead_lettered).",
    ["topic", "outcome"],
)
DEAD_LETTERS = Counter(
    "sync_dead_letters_total", "Records sent to the dead-letter topic.", ["topic"]
)
INGEST_BATCH_SECONDS = Histogram(
    "sync_ingest_batch_seconds",
    "Time to store one consumed batch.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
UNITS_PROCESSED = Counter(
    "sync_units_processed_total",
    "Units of work ended, by kind, result (succeeded, failed, skipped, ...) and code "
    "(the operation or error code, e.g. create or QBO_CONFLICT; none if there is none).",
    ["kind", "result", "code"],
)
UNIT_SECONDS = Histogram(
    "sync_unit_duration_seconds",
    "Time from claim to end of a unit of work.",
    ["kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
UNIT_RETRIES = Counter(
    "sync_unit_retries_total", "Units rescheduled for a later attempt.", ["kind", "reason"]
)
QBO_REQUESTS = Counter(
    "sync_qbo_requests_total",
    'HTTP attempts to QuickBooks by realm ("all" unless METRICS_PER_REALM), endpoint, '
    "result (success, client_error, throttled, server_error, timeout, network_error) and code "
    "(the HTTP status, or none).",
    ["realm", "endpoint", "result", "code"],
)
QBO_REQUEST_SECONDS = Histogram(
    "sync_qbo_request_seconds",
    "QuickBooks request latency.",
    ["endpoint"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
QBO_THROTTLE_WAIT_SECONDS = Counter(
    "sync_qbo_throttle_wait_seconds_total",
    "Seconds spent waiting for the realm's shared rate budget (realm as in requests).",
    ["realm"],
)
QBO_RETRIES = Counter(
    "sync_qbo_retries_total", "Retried QuickBooks attempts (attempt > 1).", ["endpoint"]
)
QBO_TOKEN_REFRESH_FAILURES = Counter(
    "sync_qbo_token_refresh_failures_total",
    "OAuth refreshes QuickBooks rejected (the connection is then broken).",
)
QBO_CONNECTIONS = Gauge("sync_qbo_connections", "Tenant connections by status.", ["status"])
WORK_ITEMS = Gauge(
    "sync_work_items",
    "Unfinished units of work by state and kind; every pair is exported, 0 when empty.",
    ["state", "kind"],
)
WORK_ITEM_STATES = ("queued", "in_flight")
NO_CODE = "none"
ALL_REALMS = "all"
WORK_OLDEST_QUEUED = Gauge(
    "sync_work_oldest_queued_seconds", "Age of the oldest ready unit of work."
)
OUTBOX_BACKLOG = Gauge("sync_outbox_backlog", "Outbox rows not yet published.")
CONSUMER_LAG = Gauge(
    "sync_consumer_lag", "Records behind the end of each partition.", ["topic", "partition"]
)
HEARTBEAT = Gauge(
    "sync_worker_heartbeat_timestamp_seconds", "Last time this worker's housekeeping ran."
)
IN_FLIGHT = Gauge("sync_units_in_flight", "Units this replica is running now.")


def record_unit_end(kind: str, result: str, code: str) -> None:
    """One ended unit: `result` is the outcome kind, `code` its operation or error code."""
    UNITS_PROCESSED.labels(kind, result, code or NO_CODE).inc()
