"""SQL for units of work: queueing (with coalescing), fair claiming, leases, completion."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from services.platform.rows import json_column, record_of
from services.sync_worker.sync.completion import UnitKind

NOTIFY_CHANNEL = "work_ready"

PRIORITY_PUSH = 0
PRIORITY_INBOUND = 1
PRIORITY_AUTO = 2
PRIORITY_CDC = 3
PRIORITIES = {
    UnitKind.PUSH: PRIORITY_PUSH,
    UnitKind.WEBHOOK: PRIORITY_INBOUND,
    UnitKind.AUTO: PRIORITY_AUTO,
    UnitKind.CDC: PRIORITY_CDC,
}


@dataclass(frozen=True, slots=True)
class WorkItem:
    id: int
    tenant_id: str
    invoice_id: str | None
    kind: UnitKind
    invoice_version: int | None
    batch_id: UUID | None
    batch_size: int | None
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


def item_of(row: asyncpg.Record) -> WorkItem:
    return record_of(WorkItem, row, kind=UnitKind(row["kind"]), payload=json_column(row["payload"]))


async def queue_auto(
    conn: asyncpg.Connection, tenant_id: str, invoice_id: str, version: int
) -> list[WorkItem]:
    """Queues an automatic sync; returns the still-queued older ones it supersedes."""
    superseded = await conn.fetch(
        """
        UPDATE work_items SET state = 'done', outcome = 'superseded', finished_at = now()
        WHERE tenant_id = $1 AND invoice_id = $2 AND kind = 'auto' AND state = 'queued'
        RETURNING *
        """,
        tenant_id,
        invoice_id,
    )
    await conn.execute(
        "INSERT INTO work_items (tenant_id, invoice_id, kind, priority, invoice_version) "
        "VALUES ($1, $2, 'auto', $3, $4)",
        tenant_id,
        invoice_id,
        PRIORITY_AUTO,
        version,
    )
    await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
    return [item_of(r) for r in superseded]


async def queue_push(
    conn: asyncpg.Connection, tenant_id: str, batch_id: UUID, invoice_ids: list[str]
) -> int:
    """Queues one unit per invoice of the batch; a redelivered request adds nothing."""
    result: str = await conn.execute(
        """
        INSERT INTO work_items (tenant_id, invoice_id, kind, priority, batch_id, batch_size)
        SELECT $1, invoice_id, 'push', $2, $3, $4 FROM unnest($5::text[]) AS invoice_id
        ON CONFLICT (batch_id, invoice_id) WHERE batch_id IS NOT NULL DO NOTHING
        """,
        tenant_id,
        PRIORITY_PUSH,
        batch_id,
        len(invoice_ids),
        invoice_ids,
    )
    await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
    return int(result.rsplit(" ", 1)[1])


async def queue_inbound(conn: asyncpg.Connection, tenant_id: str, payload: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO work_items (tenant_id, kind, priority, payload) "
        "VALUES ($1, 'inbound', $2, $3::jsonb)",
        tenant_id,
        PRIORITY_INBOUND,
        json.dumps(payload),
    )
    await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")


async def schedule_cdc(conn: asyncpg.Connection, tenant_id: str, delay_seconds: float) -> None:
    await conn.execute(
        """
        INSERT INTO work_items (tenant_id, kind, priority, not_before)
        VALUES ($1, 'cdc', $2, now() + make_interval(secs => $3))
        ON CONFLICT (tenant_id) WHERE kind = 'cdc' AND state <> 'done' DO NOTHING
        """,
        tenant_id,
        PRIORITY_CDC,
        delay_seconds,
    )


async def outbound_in_flight(conn: asyncpg.Connection, tenant_id: str, invoice_id: str) -> bool:
    """One of our writes to this invoice is running (its SyncToken is not known yet)."""
    busy = await conn.fetchval(
        "SELECT true FROM work_items WHERE tenant_id = $1 AND invoice_id = $2 "
        "AND kind IN ('auto', 'push') AND state = 'in_flight' LIMIT 1",
        tenant_id,
        invoice_id,
    )
    return bool(busy)


# The units this replica ($3) still runs at the attempt it runs ($1 ids, $2 attempts).
_HELD = (
    "FROM unnest($1::bigint[], $2::int[]) AS h(id, attempts) "
    "WHERE w.id = h.id AND w.attempts = h.attempts AND w.leased_by = $3 "
    "AND w.state = 'in_flight'"
)


def _held_columns(held: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    return [i for i, _ in held], [a for _, a in held]


async def extend_leases(
    conn: asyncpg.Connection,
    held: list[tuple[int, int]],
    *,
    worker_id: str,
    lease_seconds: float,
) -> None:
    """`held`: (unit id, attempt) pairs this replica is running."""
    await conn.execute(
        "UPDATE work_items w SET lease_until = now() + make_interval(secs => $4) " + _HELD,
        *_held_columns(held),
        worker_id,
        lease_seconds,
    )


async def recover_expired_leases(conn: asyncpg.Connection) -> int:
    """Units whose replica died (lease ran out) become claimable again."""
    result: str = await conn.execute(
        "UPDATE work_items SET state = 'queued', leased_by = NULL, lease_until = NULL "
        "WHERE state = 'in_flight' AND lease_until < now()"
    )
    return int(result.rsplit(" ", 1)[1])


async def finish(conn: asyncpg.Connection, item: WorkItem, *, worker_id: str, outcome: str) -> bool:
    """Marks the unit done if this replica still holds it. False: the lease was lost and
    another replica owns the unit now, so the caller must not publish a result."""
    done = await conn.fetchval(
        "UPDATE work_items SET state = 'done', outcome = $3, finished_at = now(), "
        "lease_until = NULL WHERE id = $1 AND leased_by = $2 AND state = 'in_flight' "
        "AND attempts = $4 RETURNING true",
        item.id,
        worker_id,
        outcome,
        item.attempts,
    )
    return bool(done)


async def finish_many(
    conn: asyncpg.Connection, done: Sequence[tuple[WorkItem, str]], *, worker_id: str
) -> set[int]:
    """`finish` for many units in one statement: (unit, outcome) pairs; returns the ids of
    those this replica still held (only their ends may be committed)."""
    rows = await conn.fetch(
        "UPDATE work_items w SET state = 'done', outcome = d.outcome, finished_at = now(), "
        "lease_until = NULL FROM unnest($1::bigint[], $2::int[], $3::text[]) "
        "AS d(id, attempts, outcome) WHERE w.id = d.id AND w.attempts = d.attempts "
        "AND w.leased_by = $4 AND w.state = 'in_flight' RETURNING w.id",
        [item.id for item, _ in done],
        [item.attempts for item, _ in done],
        [outcome for _, outcome in done],
        worker_id,
    )
    return {r["id"] for r in rows}


async def retry_later(
    conn: asyncpg.Connection,
    item: WorkItem,
    *,
    worker_id: str,
    delay_seconds: float,
    count_attempt: bool = True,
) -> bool:
    """Back to the queue for later; a wait that is not a real attempt (e.g. for an invoice
    that has not arrived yet) does not use up the unit's attempts."""
    updated = await conn.fetchval(
        "UPDATE work_items SET state = 'queued', leased_by = NULL, lease_until = NULL, "
        "not_before = now() + make_interval(secs => $3), "
        "attempts = CASE WHEN $5 THEN attempts ELSE greatest(attempts - 1, 0) END "
        "WHERE id = $1 AND leased_by = $2 AND state = 'in_flight' AND attempts = $4 "
        "RETURNING true",
        item.id,
        worker_id,
        delay_seconds,
        item.attempts,
        count_attempt,
    )
    return bool(updated)


async def release(conn: asyncpg.Connection, held: list[tuple[int, int]], *, worker_id: str) -> None:
    """Graceful shutdown: hands unfinished units back at once instead of waiting for leases."""
    await conn.execute(
        "UPDATE work_items w SET state = 'queued', leased_by = NULL, lease_until = NULL, "
        "attempts = greatest(w.attempts - 1, 0) " + _HELD,
        *_held_columns(held),
        worker_id,
    )
