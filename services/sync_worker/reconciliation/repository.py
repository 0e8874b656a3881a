"""SQL of the reconciliation feature: its own `reconciliation_runs` table, and read-only
queries of what it compares (invoice snapshots, the realm's ledger, tenant settings, product
mappings, customer links, the connection's realm). It never writes those tables."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from services.contract.invoices import InvoiceSnapshot
from services.contract.settings import ConflictPolicy

from .domain.model import LedgerRow, MediaosInvoice, TenantView


@dataclass(frozen=True, slots=True)
class Run:
    reconciliation_id: UUID
    tenant_id: str
    requested_by: str
    trigger: str
    attempts: int
    requested_at: datetime


async def queue_run(
    conn: asyncpg.Connection,
    reconciliation_id: UUID,
    tenant_id: str,
    requested_by: str,
    trigger: str,
) -> None:
    """A redelivered request queues nothing new."""
    await conn.execute(
        "INSERT INTO reconciliation_runs (reconciliation_id, tenant_id, requested_by, trigger) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (reconciliation_id) DO NOTHING",
        reconciliation_id,
        tenant_id,
        requested_by,
        trigger,
    )


async def claim_run(pool: asyncpg.Pool, worker_id: str, lease_seconds: float) -> Run | None:
    """The oldest queued run (or one whose replica's lease expired), leased to this one."""
    row = await pool.fetchrow(
        """
        UPDATE reconciliation_runs r SET state = 'running', attempts = r.attempts + 1,
            leased_by = $1, lease_until = now() + make_interval(secs => $2)
        WHERE r.reconciliation_id = (
            SELECT reconciliation_id FROM reconciliation_runs
            WHERE state = 'queued' OR (state = 'running' AND lease_until < now())
            ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING r.reconciliation_id, r.tenant_id, r.requested_by, r.trigger, r.attempts,
                  r.requested_at
        """,
        worker_id,
        lease_seconds,
    )
    return Run(**dict(row)) if row else None


async def extend_lease(
    pool: asyncpg.Pool, reconciliation_id: UUID, worker_id: str, lease_seconds: float
) -> bool:
    updated = await pool.fetchval(
        "UPDATE reconciliation_runs SET lease_until = now() + make_interval(secs => $3) "
        "WHERE reconciliation_id = $1 AND leased_by = $2 AND state = 'running' RETURNING true",
        reconciliation_id,
        worker_id,
        lease_seconds,
    )
    return bool(updated)


async def finish_run(
    conn: asyncpg.Connection, reconciliation_id: UUID, worker_id: str, outcome: str
) -> bool:
    """False when the lease was lost (another replica took the run over)."""
    updated = await conn.fetchval(
        "UPDATE reconciliation_runs SET state = 'done', outcome = $3, finished_at = now(), "
        "lease_until = NULL WHERE reconciliation_id = $1 AND leased_by = $2 "
        "AND state = 'running' RETURNING true",
        reconciliation_id,
        worker_id,
        outcome,
    )
    return bool(updated)


# -- read-only views of other features' tables ---------------------------------------------


async def connection_state(
    conn: asyncpg.Connection, tenant_id: str
) -> tuple[str | None, str | None]:
    """(the realm if the tenant is connected, why its connection is broken if it is)."""
    row = await conn.fetchrow(
        "SELECT realm_id, status, broken_reason FROM quickbooks_connections WHERE tenant_id = $1",
        tenant_id,
    )
    if row is None:
        return None, None
    if row["status"] == "broken":
        return None, row["broken_reason"] or "credentials refused"
    return row["realm_id"], None


async def tenant_settings(
    conn: asyncpg.Connection, tenant_id: str
) -> tuple[str | None, ConflictPolicy]:
    row = await conn.fetchrow(
        "SELECT invoice_number_prefix, conflict_policy FROM tenants WHERE tenant_id = $1",
        tenant_id,
    )
    if row is None:
        return None, ConflictPolicy.REPORT
    return row["invoice_number_prefix"], ConflictPolicy(row["conflict_policy"])


async def tenant_view(
    conn: asyncpg.Connection, tenant_id: str, realm_id: str | None, prefix: str | None
) -> TenantView:
    mappings = await conn.fetch(
        "SELECT product_id, quickbooks_item_id FROM product_mappings WHERE tenant_id = $1",
        tenant_id,
    )
    links = await conn.fetch(
        "SELECT customer_id, quickbooks_id FROM customer_links "
        "WHERE tenant_id = $1 AND realm_id = $2",
        tenant_id,
        realm_id,
    )
    return TenantView(
        connected=realm_id is not None,
        number_prefix=prefix,
        item_ids={r["product_id"]: r["quickbooks_item_id"] for r in mappings},
        customer_ids={r["customer_id"]: r["quickbooks_id"] for r in links},
    )


async def invoices(conn: asyncpg.Connection, tenant_id: str) -> list[MediaosInvoice]:
    rows = await conn.fetch(
        "SELECT event_type, snapshot FROM invoice_snapshots WHERE tenant_id = $1 "
        "ORDER BY invoice_id",
        tenant_id,
    )
    # Parsing thousands of snapshots takes a while: off the event loop, so pushes and
    # ingest handled by the same replica carry on meanwhile.
    return await asyncio.to_thread(_parse_invoices, rows)


def _parse_invoices(rows: list[asyncpg.Record]) -> list[MediaosInvoice]:
    return [
        MediaosInvoice(
            InvoiceSnapshot.model_validate_json(
                r["snapshot"] if isinstance(r["snapshot"], str) else json.dumps(r["snapshot"])
            ),
            r["event_type"],
        )
        for r in rows
    ]


async def ledger_rows(
    conn: asyncpg.Connection, tenant_id: str, realm_id: str
) -> dict[str, LedgerRow]:
    """The ledger of this realm only: rows kept for another company never count here."""
    rows = await conn.fetch(
        "SELECT invoice_id, external_id, sync_token, status FROM invoice_ledger "
        "WHERE tenant_id = $1 AND realm_id = $2",
        tenant_id,
        realm_id,
    )
    return {
        r["invoice_id"]: LedgerRow(r["invoice_id"], r["external_id"], r["sync_token"], r["status"])
        for r in rows
    }
