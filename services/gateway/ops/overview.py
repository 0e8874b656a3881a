"""Assembles the ops overview from PostgreSQL and Kafka (links built here, pure helpers)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import asyncpg

from services.contract.reconciliation import ReconciliationCategory
from services.gateway.batches import repository as batches
from services.gateway.batches.model import batch_state
from services.gateway.batches.views import counts_body, percent
from services.gateway.connections import repository as connections
from services.gateway.connections.model import ConnectionStatus
from services.gateway.ops import repository
from services.gateway.ops.kafka_stats import KafkaStats
from services.gateway.ops.schemas import (
    BatchInProgress,
    CodeFailures,
    Connections,
    Failures,
    GroupLagBody,
    KafkaBody,
    LastReconciliation,
    Linked,
    OpsOverview,
    TenantConnection,
    TenantFailures,
    ThrottledRealmBody,
)
from services.gateway.reconciliations import repository as reconciliations

THROTTLE_WINDOW_MINUTES = 15
NOTES = [
    "Failures count failed results of pushes and two-way sync; links open the tenant's "
    "inbox of invoices whose latest state is failed.",
    f"Throttled realms: realms whose invoices ended QBO_RATE_LIMITED in the last "
    f"{THROTTLE_WINDOW_MINUTES} minutes. 429s the worker absorbed by retrying are not "
    "visible to the gateway (see the worker's metrics).",
]


def _tenant_url(base: str, tenant_id: str, path: str, **query: str) -> str:
    url = f"{base}/v1/tenants/{tenant_id}/{path}"
    return f"{url}?{urlencode(query)}" if query else url


def _inbox(base: str, tenant: str, since: datetime, code: str | None = None) -> str:
    query = {"status": "failed", "updated_since": since.isoformat()}
    if code:
        query["code"] = code
    return _tenant_url(base, tenant, "invoices", **query)


def _failures(rows: list[repository.FailureCount], base: str, now: datetime) -> Failures:
    hour, day = now - timedelta(hours=1), now - timedelta(days=1)
    by_code: dict[str, CodeFailures] = {}
    tenant_hour: Counter[str] = Counter()
    tenant_day: Counter[str] = Counter()
    for r in rows:
        entry = by_code.setdefault(
            r.code, CodeFailures(code=r.code, last_hour=0, last_day=0, by_tenant={})
        )
        entry.last_hour += r.last_hour
        entry.last_day += r.last_day
        entry.by_tenant[r.tenant_id] = Linked(
            count=r.last_day, link=_inbox(base, r.tenant_id, day, r.code)
        )
        tenant_hour[r.tenant_id] += r.last_hour
        tenant_day[r.tenant_id] += r.last_day
    return Failures(
        last_hour=sum(tenant_hour.values()),
        last_day=sum(tenant_day.values()),
        by_code=sorted(by_code.values(), key=lambda c: (-c.last_day, c.code)),
        by_tenant=[
            TenantFailures(
                tenant_id=t,
                last_hour=Linked(count=tenant_hour[t], link=_inbox(base, t, hour)),
                last_day=Linked(count=n, link=_inbox(base, t, day)),
            )
            for t, n in sorted(tenant_day.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    )


async def _connections(conn: asyncpg.Connection, base: str) -> Connections:
    rows = await connections.all_connections(conn)
    by_state = {s.value: 0 for s in ConnectionStatus}
    by_state.update(Counter(r.status.value for r in rows))
    return Connections(
        by_state=by_state,
        not_working=[
            TenantConnection(
                tenant_id=r.tenant_id,
                realm_id=r.realm_id,
                status=r.status.value,
                reason=r.reason,
                since=r.status_at,
                link=_tenant_url(base, r.tenant_id, "quickbooks-connection"),
            )
            for r in rows
            if r.status in (ConnectionStatus.BROKEN, ConnectionStatus.NOT_CONNECTED)
        ][:200],
    )


async def _open_batches(conn: asyncpg.Connection, base: str) -> list[BatchInProgress]:
    out = []
    for row in await batches.open_batches(conn, 100):
        counts = row.counts
        state = batch_state(row.total, counts)
        out.append(
            BatchInProgress(
                tenant_id=row.tenant_id,
                batch_id=row.batch_id,
                state=state.value,
                percent=percent(row.total, counts),
                counts=counts_body(row.total, counts),
                started_at=row.started_at,
                link=_tenant_url(base, row.tenant_id, f"push-batches/{row.batch_id}"),
                list_link=_tenant_url(base, row.tenant_id, "push-batches", state=state.value),
            )
        )
    return out


def _category_counts(categories: dict[str, Any] | None, run_url: str) -> dict[str, Linked] | None:
    """Every category, 0 when the run found none; None before the run completed."""
    if categories is None:
        return None
    return {
        c.value: Linked(
            count=int(categories.get(c.value, {}).get("count", 0)),
            link=f"{run_url}/differences?{urlencode({'category': c.value})}",
        )
        for c in ReconciliationCategory
    }


async def _last_reconciliations(conn: asyncpg.Connection, base: str) -> list[LastReconciliation]:
    out = []
    for run in await reconciliations.latest_per_tenant(conn, 200):
        run_url = _tenant_url(base, run.tenant_id, f"reconciliations/{run.reconciliation_id}")
        # The other fields are the run's of the same names.
        body = {
            **asdict(run),
            "id": run.reconciliation_id,
            "at": run.finished_at or run.requested_at,
            "counts": _category_counts(run.categories, run_url),
            "link": run_url,
        }
        out.append(LastReconciliation.model_validate(body))
    return out


def _kafka(stats: KafkaStats) -> KafkaBody:
    return KafkaBody(
        available=stats.available,
        consumer_lag=[GroupLagBody(**asdict(g)) for g in stats.lag],
        dead_letters=stats.dead_letters,
        error=stats.error,
    )


async def build_overview(
    pool: asyncpg.Pool, stats: KafkaStats, base: str, now: datetime
) -> OpsOverview:
    async with pool.acquire() as conn:
        conns = await _connections(conn, base)
        failures = _failures(await repository.failure_counts(conn, now), base, now)
        in_progress = await _open_batches(conn, base)
        throttled = await repository.throttled_realms(conn, now, THROTTLE_WINDOW_MINUTES)
        parked = await repository.parked_count(conn)
        last_runs = await _last_reconciliations(conn, base)
    since = now - timedelta(minutes=THROTTLE_WINDOW_MINUTES)
    return OpsOverview(
        generated_at=now,
        connections=conns,
        failures=failures,
        batches_in_progress=in_progress,
        throttled_realms=[
            ThrottledRealmBody(
                realm_id=t.realm_id,
                tenant_id=t.tenant_id,
                rate_limited_results=t.results,
                last_at=t.last_at,
                link=_inbox(base, t.tenant_id, since, "QBO_RATE_LIMITED"),
            )
            for t in throttled
        ],
        kafka=_kafka(stats),
        parked_messages=parked,
        last_reconciliations=last_runs,
        notes=NOTES,
    )
