"""Everything an outbound unit reads from PostgreSQL before talking to QuickBooks."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from services.contract.invoices import InvoiceSnapshot
from services.sync_worker.invoices import snapshots
from services.sync_worker.sync import ledger
from services.sync_worker.sync.ledger import LedgerEntry
from services.sync_worker.tenants import repository as tenants
from services.sync_worker.tenants.model import TenantSettings


@dataclass(frozen=True, slots=True)
class InvoiceContext:
    settings: TenantSettings
    snapshot: InvoiceSnapshot | None
    event_type: str | None
    item_ids: dict[str, str | None]
    product_names: dict[str, str]
    ledger: LedgerEntry | None


async def load(conn: asyncpg.Connection, tenant_id: str, invoice_id: str) -> InvoiceContext:
    settings = await tenants.get_settings(conn, tenant_id)
    stored = await snapshots.get(conn, tenant_id, invoice_id)
    item_ids: dict[str, str | None] = {}
    names: dict[str, str] = {}
    if stored is not None:
        product_ids = sorted({ln.product_id for ln in stored.snapshot.lines})
        for r in await tenants.get_mappings(conn, tenant_id, product_ids):
            item_ids[r.product_id] = r.quickbooks_item_id
            names[r.product_id] = r.product_name
    return InvoiceContext(
        settings=settings,
        snapshot=stored.snapshot if stored else None,
        event_type=stored.event_type if stored else None,
        item_ids=item_ids,
        product_names=names,
        ledger=await ledger.get(conn, tenant_id, invoice_id),
    )
