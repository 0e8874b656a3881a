"""SQL for `invoice_snapshots`: the newest version of every MediaOS invoice."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from services.contract.invoices import InvoiceSnapshot


async def store_if_newer(
    conn: asyncpg.Connection, tenant_id: str, event_type: str, invoice: InvoiceSnapshot
) -> int | None:
    """Keeps the highest version: None when this one was stored, else the version already
    held (equal or newer). One round trip when the version is new."""
    stored = await conn.fetchrow(
        """
        INSERT INTO invoice_snapshots AS s (tenant_id, invoice_id, version, event_type, snapshot)
        VALUES ($1, $2, $3, $4, $5::jsonb)
        ON CONFLICT (tenant_id, invoice_id) DO UPDATE SET
            version = EXCLUDED.version, event_type = EXCLUDED.event_type,
            snapshot = EXCLUDED.snapshot, received_at = now()
        WHERE s.version < EXCLUDED.version
        RETURNING 1
        """,
        tenant_id,
        invoice.invoice_id,
        invoice.version,
        event_type,
        invoice.model_dump_json(),
    )
    if stored is not None:
        return None
    current: int = await conn.fetchval(
        "SELECT version FROM invoice_snapshots WHERE tenant_id = $1 AND invoice_id = $2",
        tenant_id,
        invoice.invoice_id,
    )
    return current


@dataclass(frozen=True, slots=True)
class StoredInvoice:
    event_type: str
    snapshot: InvoiceSnapshot


async def get(conn: asyncpg.Connection, tenant_id: str, invoice_id: str) -> StoredInvoice | None:
    """The newest snapshot held of the invoice, with the event that brought it."""
    row = await conn.fetchrow(
        "SELECT event_type, snapshot FROM invoice_snapshots "
        "WHERE tenant_id = $1 AND invoice_id = $2",
        tenant_id,
        invoice_id,
    )
    if row is None:
        return None
    return StoredInvoice(row["event_type"], InvoiceSnapshot.model_validate_json(row["snapshot"]))
