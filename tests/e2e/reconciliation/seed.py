"""Seeding a tenant with thousands of invoices already in sync, without pushing them one by
one: QuickBooks gets them through its batch endpoint (1,000 creates a call), the worker's
snapshots and ledger through set-based SQL. The invoices are what the sync itself writes,
so a reconciliation finds every one in sync."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from services.contract.invoices import InvoiceSnapshot
from services.sync_worker.quickbooks.invoice_mapping import to_wire
from services.sync_worker.quickbooks.jsonutil import dumps
from services.sync_worker.sync.domain.translate import to_quickbooks
from tests.e2e.reconciliation.api import user_token
from tests.support.factories import invoice_snapshot
from tests.support.sandbox import SandboxAdmin

SEED_BATCH = 1000
# High enough that seeding never waits on the sandbox's throttle.
SEED_LIMITS = {"per_minute": 1_000_000, "per_second": 100_000}
SEED_SETTINGS = {"batch_max_items": SEED_BATCH}


async def seed_realm(sandbox: SandboxAdmin) -> dict[str, Any]:
    """A company to seed: one item, one customer (what `create_in_quickbooks` uses), batches
    of `SEED_BATCH` and no throttle."""
    return await sandbox.create_realm(
        items=[{"name": "Display Ad", "unit_price": "100.00"}],
        customers=[{"display_name": "Acme Media"}],
        settings=SEED_SETTINGS,
        limits=SEED_LIMITS,
    )


def snapshot(n: int, number: str) -> InvoiceSnapshot:
    return invoice_snapshot(f"inv-{n:05d}", number=number)


async def create_in_quickbooks(
    sandbox_url: str, realm: dict[str, Any], snapshots: list[InvoiceSnapshot], prefix: str | None
) -> dict[str, tuple[str, str]]:
    """Creates the invoices the sync would write; returns invoice id -> (QuickBooks Id,
    DocNumber)."""
    realm_id = realm["realm_id"]
    item_ids = {"P-1": realm["items"][0]["Id"]}
    customer_id = realm["customers"][0]["Id"]
    created: dict[str, tuple[str, str]] = {}
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=120) as http:
        token = await user_token(http, realm_id, (realm["client_id"], realm["client_secret"]))
        for start in range(0, len(snapshots), SEED_BATCH):
            items = [
                {
                    "bId": s.invoice_id,
                    "operation": "create",
                    "Invoice": to_wire(
                        to_quickbooks(
                            s, customer_id=customer_id, item_ids=item_ids, number_prefix=prefix
                        )
                    ).to_qbo(),
                }
                for s in snapshots[start : start + SEED_BATCH]
            ]
            answer = await http.post(
                f"/v3/company/{realm_id}/batch",
                content=dumps({"BatchItemRequest": items}),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            answer.raise_for_status()
            for item in answer.json()["BatchItemResponse"]:
                invoice = item["Invoice"]
                created[item["bId"]] = (invoice["Id"], invoice["DocNumber"])
    return created


async def store_as_synced(
    pool: asyncpg.Pool,
    tenant_id: str,
    realm: dict[str, Any],
    snapshots: list[InvoiceSnapshot],
    created: dict[str, tuple[str, str]],
) -> None:
    """The worker's view after pushing them all: snapshots, the realm's ledger, the link of
    the one customer."""
    ids = [s.invoice_id for s in snapshots]
    customer = snapshots[0].customer
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO invoice_snapshots (tenant_id, invoice_id, version, event_type, snapshot) "
            "SELECT $1, i, 1, 'invoice.created', s::jsonb FROM unnest($2::text[], $3::text[]) "
            "AS t(i, s)",
            tenant_id,
            ids,
            [s.model_dump_json() for s in snapshots],
        )
        await conn.execute(
            "INSERT INTO invoice_ledger (tenant_id, invoice_id, realm_id, external_id, "
            "external_number, sync_token, synced_version, status, last_synced_at) "
            "SELECT $1, i, $2, e, d, '0', 1, 'active', now() "
            "FROM unnest($3::text[], $4::text[], $5::text[]) AS t(i, e, d)",
            tenant_id,
            realm["realm_id"],
            ids,
            [created[i][0] for i in ids],
            [created[i][1] for i in ids],
        )
        await conn.execute(
            "INSERT INTO customer_links (tenant_id, customer_id, realm_id, quickbooks_id, "
            "display_name) VALUES ($1, $2, $3, $4, $5)",
            tenant_id,
            customer.customer_id,
            realm["realm_id"],
            realm["customers"][0]["Id"],
            customer.display_name,
        )


async def own_authorisation(sandbox_url: str, realm: dict[str, Any]) -> dict[str, Any]:
    """The realm with a refresh token of its own, for a second tenant on the same company
    (a shared one would be rotated away by whichever tenant refreshes first)."""
    async with SandboxAdmin(sandbox_url) as admin:
        answer = await admin.reconnect(realm["realm_id"])
    return {**realm, "refresh_token": answer["refresh_token"]}
