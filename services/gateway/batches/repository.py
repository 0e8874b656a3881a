"""SQL of push batches and their change log (the invoice rows: `invoice_rows`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from uuid import UUID

import asyncpg

from services.gateway.batches import invoice_rows
from services.gateway.batches.model import STATE_CONDITIONS, BatchRow, BatchState, Counts
from services.platform.rows import record_of

CHANGES_CHANNEL = "gateway_batch_changes"
_BATCH_COLUMNS = ", ".join(f.name for f in fields(BatchRow))


def _batch_row(row: asyncpg.Record) -> BatchRow:
    return record_of(BatchRow, row)


async def _one_batch(conn: asyncpg.Connection, condition: str, *args: object) -> BatchRow | None:
    row = await conn.fetchrow(f"SELECT {_BATCH_COLUMNS} FROM push_batches WHERE {condition}", *args)
    return None if row is None else _batch_row(row)


async def create_batch(
    conn: asyncpg.Connection,
    *,
    batch_id: UUID,
    tenant_id: str,
    invoice_ids: Sequence[str],
    origin: str,
    requested_by: str,
    started_at: datetime,
    now: datetime,
    retry_of: UUID | None = None,
    principal: str | None = None,
) -> bool:
    """Records a batch and its pending invoices; False if the batch id already exists."""
    inserted = await conn.fetchval(
        """
        INSERT INTO push_batches (batch_id, tenant_id, origin, requested_by, request_seen,
                                  retry_of, total, started_at, updated_at, requested_principal)
        VALUES ($1, $2, $3, $4, true, $5, $6, $7, $8, $9)
        ON CONFLICT (batch_id) DO NOTHING
        RETURNING true
        """,
        batch_id,
        tenant_id,
        origin,
        requested_by,
        retry_of,
        len(invoice_ids),
        started_at,
        now,
        principal,
    )
    if inserted:
        await invoice_rows.insert_invoices(conn, batch_id, invoice_ids)
    return bool(inserted)


async def ensure_batch_for_result(
    conn: asyncpg.Connection,
    *,
    batch_id: UUID,
    tenant_id: str,
    total: int | None,
    now: datetime,
) -> None:
    """A result may overtake its push.requested (other partition): start the batch from it."""
    await conn.execute(
        """
        INSERT INTO push_batches (batch_id, tenant_id, origin, total, started_at, updated_at)
        VALUES ($1, $2, 'result', $3, $4, $4)
        ON CONFLICT (batch_id) DO NOTHING
        """,
        batch_id,
        tenant_id,
        total,
        now,
    )


async def lock_batch(conn: asyncpg.Connection, batch_id: UUID) -> BatchRow | None:
    """Serialises writers of one batch, so change numbers follow commit order."""
    return await _one_batch(conn, "batch_id = $1 FOR UPDATE", batch_id)


async def mark_request_seen(
    conn: asyncpg.Connection,
    *,
    batch_id: UUID,
    total: int,
    requested_by: str,
    requested_at: datetime,
) -> None:
    await conn.execute(
        """
        UPDATE push_batches
        SET request_seen = true, total = $2, requested_by = $3,
            started_at = LEAST(started_at, $4)
        WHERE batch_id = $1
        """,
        batch_id,
        total,
        requested_by,
        requested_at,
    )


async def get_batch(conn: asyncpg.Connection, tenant_id: str, batch_id: UUID) -> BatchRow | None:
    return await _one_batch(conn, "batch_id = $1 AND tenant_id = $2", batch_id, tenant_id)


async def append_changes(
    conn: asyncpg.Connection, batch_id: UUID, changes: Sequence[tuple[int, str, str]]
) -> None:
    """Adds (seq, kind, payload JSON) rows to the batch's change log and wakes listeners."""
    if not changes:
        return
    await conn.executemany(
        "INSERT INTO push_batch_changes (batch_id, seq, kind, payload) "
        "VALUES ($1, $2, $3, $4::jsonb)",
        [(batch_id, seq, kind, payload) for seq, kind, payload in changes],
    )
    await conn.execute("SELECT pg_notify($1, $2)", CHANGES_CHANNEL, str(batch_id))


async def save_progress(
    conn: asyncpg.Connection,
    *,
    batch_id: UUID,
    counts: Counts,
    last_seq: int,
    complete: bool,
    now: datetime,
    had_results: bool,
) -> None:
    await conn.execute(
        """
        UPDATE push_batches SET
            succeeded = $2, failed = $3, skipped = $4, last_seq = $5, updated_at = $6,
            first_result_at = CASE WHEN $7 THEN COALESCE(first_result_at, $6)
                                   ELSE first_result_at END,
            last_result_at = CASE WHEN $7 THEN $6 ELSE last_result_at END,
            completed_at = CASE WHEN $8 THEN COALESCE(completed_at, $6) END
        WHERE batch_id = $1
        """,
        batch_id,
        counts.succeeded,
        counts.failed,
        counts.skipped,
        last_seq,
        now,
        had_results,
        complete,
    )


async def changes_after(
    conn: asyncpg.Connection, batch_id: UUID, seq: int, limit: int
) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """
            SELECT seq, kind, payload::text AS payload FROM push_batch_changes
            WHERE batch_id = $1 AND seq > $2 ORDER BY seq LIMIT $3
            """,
            batch_id,
            seq,
            limit,
        )
    )


async def list_batches(
    conn: asyncpg.Connection,
    tenant_id: str,
    *,
    state: BatchState | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[BatchRow]:
    """The tenant's batches newest first; `after` is the previous page's last
    (started_at, batch_id)."""
    where = "tenant_id = $1"
    if state is not None:
        where += f" AND {STATE_CONDITIONS[state]}"
    args: list[object] = [tenant_id, limit]
    if after is not None:
        args.extend(after)
        where += " AND (started_at, batch_id) < ($3, $4)"
    rows = await conn.fetch(
        f"SELECT {_BATCH_COLUMNS} FROM push_batches WHERE {where} "
        "ORDER BY started_at DESC, batch_id DESC LIMIT $2",
        *args,
    )
    return [_batch_row(r) for r in rows]


async def open_batches(conn: asyncpg.Connection, limit: int) -> list[BatchRow]:
    """Unfinished batches of every tenant, newest first (the ops view)."""
    rows = await conn.fetch(
        f"SELECT {_BATCH_COLUMNS} FROM push_batches WHERE completed_at IS NULL "
        "ORDER BY started_at DESC LIMIT $1",
        limit,
    )
    return [_batch_row(r) for r in rows]
