"""SQL of the gateway's reconciliation tables."""

from __future__ import annotations

import json
from datetime import date, datetime
from uuid import UUID

import asyncpg

from services.contract.reconciliation import (
    MAX_FINDINGS_PER_EVENT,
    ReconciliationCompleted,
    ReconciliationProgressed,
)
from services.gateway.reconciliations.model import Run, StoredFinding
from services.platform.rows import json_column, record_of


async def create(
    conn: asyncpg.Connection,
    reconciliation_id: UUID,
    tenant_id: str,
    requested_by: str,
    trigger: str,
    now: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO reconciliations (reconciliation_id, tenant_id, requested_by, trigger, "
        "requested_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) "
        "ON CONFLICT (reconciliation_id) DO NOTHING",
        reconciliation_id,
        tenant_id,
        requested_by,
        trigger,
        now,
    )


async def _ensure(
    conn: asyncpg.Connection, event: ReconciliationProgressed | ReconciliationCompleted
) -> None:
    """A run started by someone else (MediaOS core, another gateway) is tracked too."""
    await create(
        conn, event.reconciliation_id, event.tenant_id, "unknown", "on_demand", event.occurred_at
    )


async def apply_progress(conn: asyncpg.Connection, event: ReconciliationProgressed) -> None:
    await _ensure(conn, event)
    await conn.execute(
        """
        UPDATE reconciliations SET
            state = CASE WHEN state IN ('completed', 'failed') THEN state ELSE 'running' END,
            phase = CASE WHEN state IN ('completed', 'failed') THEN phase ELSE $2 END,
            invoices_checked = greatest(invoices_checked, $3), invoices_total = $4,
            quickbooks_calls = greatest(quickbooks_calls, $5),
            started_at = coalesce(started_at, $6), updated_at = $6
        WHERE reconciliation_id = $1
        """,
        event.reconciliation_id,
        event.phase.value,
        event.invoices_checked,
        event.invoices_total,
        event.quickbooks_calls,
        event.occurred_at,
    )
    if not event.findings or event.chunk is None:
        return
    base = (event.chunk - 1) * MAX_FINDINGS_PER_EVENT
    await conn.executemany(
        """
        INSERT INTO reconciliation_findings (reconciliation_id, position, category, invoice_id,
            number, external_id, external_number, mediaos_total, quickbooks_total, differences,
            edited_in_quickbooks, reason, detail)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13)
        ON CONFLICT (reconciliation_id, position) DO NOTHING
        """,
        [
            (
                event.reconciliation_id,
                base + i,
                f.category.value,
                f.invoice_id,
                f.number,
                f.external_id,
                f.external_number,
                f.mediaos_total,
                f.quickbooks_total,
                json.dumps([d.model_dump(mode="json") for d in f.differences]),
                f.edited_in_quickbooks,
                f.reason,
                f.detail,
            )
            for i, f in enumerate(event.findings)
        ],
    )


async def apply_completed(conn: asyncpg.Connection, event: ReconciliationCompleted) -> None:
    await _ensure(conn, event)
    await conn.execute(
        """
        UPDATE reconciliations SET state = $2, phase = 'done', invoices_total = $3,
            invoices_checked = $3, quickbooks_calls = $4, realm_id = $5, conflict_policy = $6,
            categories = $7::jsonb, totals = $8::jsonb, error = $9,
            started_at = coalesce(started_at, $10), finished_at = $11, updated_at = $11
        WHERE reconciliation_id = $1
        """,
        event.reconciliation_id,
        event.state,
        event.invoices_total,
        event.quickbooks_calls,
        event.realm_id,
        event.conflict_policy.value,
        json.dumps({k.value: v.model_dump(mode="json") for k, v in event.categories.items()}),
        event.totals.model_dump_json(),
        event.error,
        event.started_at,
        event.occurred_at,
    )


def _run(row: asyncpg.Record) -> Run:
    return record_of(
        Run, row, categories=json_column(row["categories"]), totals=json_column(row["totals"])
    )


async def get(conn: asyncpg.Connection, tenant_id: str, reconciliation_id: UUID) -> Run | None:
    row = await conn.fetchrow(
        "SELECT * FROM reconciliations WHERE tenant_id = $1 AND reconciliation_id = $2",
        tenant_id,
        reconciliation_id,
    )
    return None if row is None else _run(row)


async def findings(
    conn: asyncpg.Connection,
    reconciliation_id: UUID,
    *,
    categories: list[str] | None,
    after: int,
    limit: int | None,
) -> list[StoredFinding]:
    rows = await conn.fetch(
        """
        SELECT * FROM reconciliation_findings
        WHERE reconciliation_id = $1 AND position > $2
          AND ($3::text[] IS NULL OR category = ANY($3::text[]))
        ORDER BY position LIMIT $4
        """,
        reconciliation_id,
        after,
        categories,
        limit,
    )
    return [record_of(StoredFinding, r, differences=json_column(r["differences"])) for r in rows]


async def set_nightly(conn: asyncpg.Connection, tenant_id: str, nightly: bool) -> None:
    await conn.execute(
        "INSERT INTO reconciliation_settings (tenant_id, nightly) VALUES ($1, $2) "
        "ON CONFLICT (tenant_id) DO UPDATE SET nightly = EXCLUDED.nightly, updated_at = now()",
        tenant_id,
        nightly,
    )


async def nightly(conn: asyncpg.Connection, tenant_id: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT nightly FROM reconciliation_settings WHERE tenant_id = $1", tenant_id
        )
    )


async def nightly_settings(conn: asyncpg.Connection) -> list[tuple[str, bool, date | None]]:
    rows = await conn.fetch(
        "SELECT tenant_id, nightly, last_nightly FROM reconciliation_settings WHERE nightly"
    )
    return [(r["tenant_id"], r["nightly"], r["last_nightly"]) for r in rows]


async def claim_nightly(conn: asyncpg.Connection, tenant_id: str, day: date) -> bool:
    """Marks `day`'s nightly run as started; False when another replica already did."""
    claimed = await conn.fetchval(
        "UPDATE reconciliation_settings SET last_nightly = $2 WHERE tenant_id = $1 AND nightly "
        "AND (last_nightly IS NULL OR last_nightly < $2) RETURNING true",
        tenant_id,
        day,
    )
    return bool(claimed)


async def latest_per_tenant(conn: asyncpg.Connection, limit: int) -> list[Run]:
    """Each tenant's most recently requested run, tenants with the newest runs first."""
    rows = await conn.fetch(
        """
        SELECT * FROM (
            SELECT DISTINCT ON (tenant_id) * FROM reconciliations
            ORDER BY tenant_id, requested_at DESC, reconciliation_id
        ) latest ORDER BY requested_at DESC, tenant_id LIMIT $1
        """,
        limit,
    )
    return [_run(r) for r in rows]
