"""SQL of the inbox (latest state per invoice) and of the failure log the ops view counts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from services.contract.push import PushRequested
from services.gateway.batches.model import STATUS_BY_EVENT_TYPE, InvoiceStatus
from services.gateway.inbox.model import InboxEntry, InboxFilter
from services.platform.rows import record_of

FAILURE_RETENTION = "7 days"


async def record_results(conn: asyncpg.Connection, results: Sequence[Any]) -> None:
    """Upserts each invoice's state; an older event never replaces a newer state."""
    await conn.executemany(
        """
        INSERT INTO invoice_inbox AS i (
            tenant_id, invoice_id, status, trigger, operation, invoice_version, external_id,
            external_number, error_code, error, batch_id, event_id, state_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13)
        ON CONFLICT (tenant_id, invoice_id) DO UPDATE SET
            status = EXCLUDED.status, trigger = EXCLUDED.trigger,
            operation = EXCLUDED.operation, invoice_version = EXCLUDED.invoice_version,
            external_id = COALESCE(EXCLUDED.external_id, i.external_id),
            external_number = COALESCE(EXCLUDED.external_number, i.external_number),
            error_code = EXCLUDED.error_code, error = EXCLUDED.error,
            batch_id = EXCLUDED.batch_id, event_id = EXCLUDED.event_id,
            state_at = EXCLUDED.state_at, recorded_at = now()
        WHERE i.state_at <= EXCLUDED.state_at
        """,
        [
            (
                r.tenant_id,
                r.invoice_id,
                STATUS_BY_EVENT_TYPE[r.event_type].value,
                r.trigger.value,
                r.operation.value,
                r.invoice_version,
                r.external_id,
                r.external_number,
                r.error.code.value if r.error else None,
                r.error.model_dump_json() if r.error else None,
                r.batch_id,
                r.event_id,
                r.occurred_at,
            )
            for r in results
        ],
    )


async def mark_pending(conn: asyncpg.Connection, request: PushRequested) -> None:
    """The request's invoices wait for a result (unless one newer than it is stored)."""
    await conn.execute(
        """
        INSERT INTO invoice_inbox AS i (tenant_id, invoice_id, status, trigger, batch_id,
                                        event_id, state_at)
        SELECT $1, t.id, 'pending', 'push', $3, $4, $5
        FROM unnest($2::text[]) AS t(id) ORDER BY t.id
        ON CONFLICT (tenant_id, invoice_id) DO UPDATE SET
            status = 'pending', trigger = 'push', operation = NULL, error_code = NULL,
            error = NULL, batch_id = EXCLUDED.batch_id, event_id = EXCLUDED.event_id,
            state_at = EXCLUDED.state_at, recorded_at = now()
        WHERE i.state_at < EXCLUDED.state_at
        """,
        request.tenant_id,
        request.invoice_ids,
        request.batch_id,
        request.event_id,
        request.occurred_at,
    )


async def record_failures(conn: asyncpg.Connection, failed: Sequence[Any]) -> None:
    await conn.executemany(
        "INSERT INTO sync_failures (event_id, tenant_id, invoice_id, code, trigger, occurred_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING",
        [
            (
                r.event_id,
                r.tenant_id,
                r.invoice_id,
                r.error.code.value,
                r.trigger.value,
                r.occurred_at,
            )
            for r in failed
        ],
    )
    await conn.execute(
        f"DELETE FROM sync_failures WHERE occurred_at < now() - interval '{FAILURE_RETENTION}'"
    )


def _where(tenant_id: str, flt: InboxFilter) -> tuple[str, list[Any]]:
    args: list[Any] = [tenant_id]
    clauses = ["tenant_id = $1"]
    for column, value in (
        ("status", flt.status.value if flt.status else None),
        ("error_code", flt.code),
        ("trigger", flt.trigger),
    ):
        if value is not None:
            args.append(value)
            clauses.append(f"{column} = ${len(args)}")
    if flt.updated_since is not None:
        args.append(flt.updated_since)
        clauses.append(f"state_at >= ${len(args)}")
    return " AND ".join(clauses), args


def _entry(row: asyncpg.Record) -> InboxEntry:
    return record_of(
        InboxEntry,
        row,
        status=InvoiceStatus(row["status"]),
        error=json.loads(row["error"]) if row["error"] else None,
    )


async def list_entries(
    conn: asyncpg.Connection,
    tenant_id: str,
    flt: InboxFilter,
    *,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[InboxEntry]:
    """Newest first; `after` is the last (state_at, invoice_id) of the previous page."""
    where, args = _where(tenant_id, flt)
    if after is not None:
        args.extend(after)
        where += f" AND (state_at, invoice_id) < (${len(args) - 1}, ${len(args)})"
    args.append(limit)
    rows = await conn.fetch(
        f"SELECT *, error::text AS error FROM invoice_inbox WHERE {where} "
        f"ORDER BY state_at DESC, invoice_id DESC LIMIT ${len(args)}",
        *args,
    )
    return [_entry(r) for r in rows]


async def matching_ids(
    conn: asyncpg.Connection, tenant_id: str, flt: InboxFilter, limit: int
) -> list[str]:
    where, args = _where(tenant_id, flt)
    args.append(limit)
    rows = await conn.fetch(
        f"SELECT invoice_id FROM invoice_inbox WHERE {where} "
        f"ORDER BY state_at DESC, invoice_id DESC LIMIT ${len(args)}",
        *args,
    )
    return [r["invoice_id"] for r in rows]
