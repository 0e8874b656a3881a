"""A tenant with 300 invoices, after QuickBooks users deleted, edited, voided and created
some: the run files each into the right category with the right fields and the totals add
up; repairing missing and different makes the next run all in sync; connecting the tenant
to another company shows everything missing there, and a repair sends it all."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from tests.e2e.reconciliation.api import (
    all_differences,
    create_as_quickbooks_user,
    push_and_wait,
    reconcile,
    tenant_on,
    wait_for_batch,
)
from tests.support import tenants
from tests.support.environment import ADMIN_TOKEN, ENCRYPTION_KEY
from tests.support.factories import invoice_created
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.e2e

PREFIX = "RC-"
ITEMS = [{"name": "Display Ad", "unit_price": "100.00"}]
LIMITS = {"per_minute": 3000, "per_second": 50}


async def _tenant_with_300_sent(
    sandbox: SandboxAdmin, bootstrap: str, pool: asyncpg.Pool, api: httpx.AsyncClient
) -> tuple[str, dict[str, Any], list[str]]:
    realm = await sandbox.create_realm(items=ITEMS, limits=LIMITS)
    tenant = await tenant_on(bootstrap, pool, realm, PREFIX, ENCRYPTION_KEY)
    events = [invoice_created(tenant, number=f"{7000 + i}") for i in range(300)]
    await tenants.publish_invoices(bootstrap, pool, events)
    ids = [e.invoice.invoice_id for e in events]
    batch = await push_and_wait(api, tenant, ids[5:])
    assert batch["counts"]["succeeded"] == 295, batch
    return tenant, realm, ids


async def test_reconcile_files_every_invoice_and_repair_brings_all_in_sync(
    running_worker: Any,
    running_gateway: Any,
    sandbox: SandboxAdmin,
    qbo_sandbox_url: str,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(base_url=running_gateway.url, headers=headers) as api:
        tenant, realm, ids = await _tenant_with_300_sent(
            sandbox, kafka_bootstrap_servers, worker_pg_pool, api
        )
        realm_id, item = realm["realm_id"], realm["items"][0]["Id"]
        by_doc = {i["DocNumber"]: i["Id"] for i in await sandbox.live_invoices(realm_id)}
        number = {inv: f"{PREFIX}{7000 + n}" for n, inv in enumerate(ids)}
        never_sent, deleted, edited, voided = ids[:5], ids[5:10], ids[10:15], ids[15:17]
        for inv in deleted:
            await sandbox.delete_invoice(realm_id, by_doc[number[inv]])
        for inv in edited:
            line = {
                "Amount": "150.00",
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": 1, "UnitPrice": 150},
            }
            await sandbox.edit_invoice(
                realm_id,
                by_doc[number[inv]],
                {"Line": [line], "CustomerMemo": {"value": "Edited in QuickBooks"}},
            )
        for inv in voided:
            await sandbox.void_invoice(realm_id, by_doc[number[inv]])
        strangers = [
            await create_as_quickbooks_user(qbo_sandbox_url, realm_id, f"{PREFIX}90{n}", item, "40")
            for n in range(3)
        ]

        run = await reconcile(api, tenant)
        rows = await all_differences(api, run)
        by_invoice = {r["invoice_id"]: r for r in rows if r["invoice_id"]}
        counts = {k: v["count"] for k, v in run["counts"].items()}
        assert counts == {
            "in_sync": 283,
            "missing_in_quickbooks": 10,
            "different": 7,
            "only_in_quickbooks": 3,
            "not_sendable": 0,
        }
        assert Counter(r["category"] for r in rows) == Counter(
            {k: v for k, v in counts.items() if v}
        )
        assert {i: by_invoice[i]["reason"] for i in never_sent + deleted} == {
            **{i: "never_sent" for i in never_sent},
            **{i: "deleted_in_quickbooks" for i in deleted},
        }
        for inv in edited:
            row = by_invoice[inv]
            fields = {d["field"]: (d["mediaos"], d["quickbooks"]) for d in row["differences"]}
            assert set(fields) == {"lines", "memo", "total"}, row
            assert fields["total"] == ("100.00", "150.00")
            assert fields["memo"] == ("Thank you for advertising with us", "Edited in QuickBooks")
            assert row["edited_in_quickbooks"] is True
        for inv in voided:
            fields = {
                d["field"]: (d["mediaos"], d["quickbooks"]) for d in by_invoice[inv]["differences"]
            }
            assert fields == {"voided": ("false", "true"), "total": ("100.00", "0.00")}
        only = sorted(r["external_number"] for r in rows if r["category"] == "only_in_quickbooks")
        assert only == sorted(s["DocNumber"] for s in strangers)
        # Totals add up: per category, and the accountant's two columns.
        totals = run["totals"]
        assert totals["count"] == 303 == sum(counts.values())
        assert Decimal(totals["mediaos_amount"]) == Decimal("30000.00")
        assert Decimal(totals["quickbooks_amount"]) == Decimal(283 * 100 + 5 * 150 + 3 * 40)
        assert sum(Decimal(v["quickbooks_amount"]) for v in run["counts"].values()) == Decimal(
            totals["quickbooks_amount"]
        )
        csv = (await api.get(run["links"]["csv"])).text
        assert csv.splitlines()[0].startswith("category,invoice_id,number")
        assert csv.count("Edited in QuickBooks") == 5

        refused = await api.post(run["links"]["repair"], json={"categories": ["different"]})
        assert refused.status_code == 428
        repair = await api.post(
            run["links"]["repair"],
            json={"categories": ["missing_in_quickbooks", "different"], "confirm_overwrite": True},
        )
        assert repair.status_code == 202, repair.text
        answer = repair.json()
        assert answer["invoices"] == 17 and answer["conflict_policy"] == "report"
        assert "report" in answer["note"] and answer["kept_by_conflict_policy"] == []
        batch = await wait_for_batch(api, answer["batch"]["links"]["status"])
        assert batch["counts"]["succeeded"] == 17, batch

        again = await reconcile(api, tenant)
        assert again["counts"]["in_sync"]["count"] == 300
        assert again["counts"]["only_in_quickbooks"]["count"] == 3
        assert again["totals"]["count"] == 303

        # Another company: the old ledger is kept, everything is missing there, repair sends it.
        other = await sandbox.create_realm(items=ITEMS, limits=LIMITS)
        await tenants.connect(
            kafka_bootstrap_servers, worker_pg_pool, tenant, other, ENCRYPTION_KEY
        )
        await tenants.map_products(
            kafka_bootstrap_servers, worker_pg_pool, tenant, {"P-1": other["items"][0]["Id"]}
        )
        kept = await worker_pg_pool.fetchval(
            "SELECT count(*) FROM invoice_ledger_archive WHERE tenant_id = $1 AND realm_id = $2",
            tenant,
            realm_id,
        )
        assert kept == 300
        moved = await reconcile(api, tenant)
        assert moved["realm_id"] == other["realm_id"]
        assert moved["counts"]["missing_in_quickbooks"]["count"] == 300
        sent = await api.post(
            moved["links"]["repair"],
            json={"categories": ["missing_in_quickbooks"], "confirm_overwrite": True},
        )
        assert sent.json()["invoices"] == 300
        batch = await wait_for_batch(api, sent.json()["batch"]["links"]["status"])
        assert batch["counts"]["succeeded"] == 300, batch
        assert len(await sandbox.live_invoices(other["realm_id"])) == 300
