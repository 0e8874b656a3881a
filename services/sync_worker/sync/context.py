"""Everything an outbound unit reads from PostgreSQL before talking to QuickBooks."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from services.contract.invoices import InvoiceSnapshot
from services.contract.settings import ConflictPolicy
from services.sync_worker.sync import ledger
from services.sync_worker.sync.ledger import LedgerEntry
from services.sync_worker.tenants.model import TenantSettings


@dataclass(frozen=True, slots=True)
class InvoiceContext:
    settings: TenantSettings
    snapshot: InvoiceSnapshot | None
    event_type: str | None
    item_ids: dict[str, str | None]
    product_names: dict[str, str]
    ledger: LedgerEntry | None


# One round trip for everything a unit reads (each statement costs the worker a socket
# write and an event-loop turn, which under load dominate a unit's time). The columns are
# those of tenants, invoice_snapshots, invoice_ledger (l.*) and product_mappings.
_LOAD_SQL = """
SELECT t.manual_push, t.invoice_number_prefix, t.conflict_policy,
       s.event_type, s.snapshot, l.*, m.product_ids, m.product_names, m.item_ids
FROM (SELECT $1::text AS tenant_id, $2::text AS invoice_id) AS k
LEFT JOIN tenants t ON t.tenant_id = k.tenant_id
LEFT JOIN invoice_snapshots s ON s.tenant_id = k.tenant_id AND s.invoice_id = k.invoice_id
LEFT JOIN invoice_ledger l ON l.tenant_id = k.tenant_id AND l.invoice_id = k.invoice_id
LEFT JOIN LATERAL (
    SELECT array_agg(pm.product_id) AS product_ids, array_agg(pm.product_name) AS product_names,
           array_agg(pm.quickbooks_item_id) AS item_ids
    FROM product_mappings pm
    WHERE pm.tenant_id = k.tenant_id AND pm.product_id IN (
        SELECT line->>'product_id' FROM jsonb_array_elements(s.snapshot->'lines') AS line)
) AS m ON true
"""


async def load(conn: asyncpg.Connection, tenant_id: str, invoice_id: str) -> InvoiceContext:
    row = await conn.fetchrow(_LOAD_SQL, tenant_id, invoice_id)
    assert row is not None
    settings = TenantSettings()
    if row["manual_push"] is not None:
        settings = TenantSettings(
            manual_push=row["manual_push"],
            invoice_number_prefix=row["invoice_number_prefix"],
            conflict_policy=ConflictPolicy(row["conflict_policy"]),
        )
    snapshot = None
    if row["snapshot"] is not None:
        snapshot = InvoiceSnapshot.model_validate_json(row["snapshot"])
    products = list(row["product_ids"] or [])
    return InvoiceContext(
        settings=settings,
        snapshot=snapshot,
        event_type=row["event_type"],
        item_ids=dict(zip(products, row["item_ids"] or [], strict=True)),
        product_names=dict(zip(products, row["product_names"] or [], strict=True)),
        ledger=ledger.entry_of(row) if row["tenant_id"] is not None else None,
    )
