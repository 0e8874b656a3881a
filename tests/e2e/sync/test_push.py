"""One-Way Push: manual mode, Send to QuickBooks batches, mapping gate, not connected."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import pytest

from services.contract.invoices import InvoiceUpdated
from tests.e2e.sync.steps import SyncRig, for_batch, for_invoice, push, revision, sync
from tests.support import tenants
from tests.support.environment import ENCRYPTION_KEY
from tests.support.factories import invoice_created, new_tenant
from tests.support.kafka import TopicReader
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.e2e


async def test_manual_push_mode_ignores_invoice_events_and_sends_only_on_push(
    manual_rig: SyncRig, changes: TopicReader
) -> None:
    rig, tenant = manual_rig, manual_rig.tenant
    event = invoice_created(tenant, number="5001")
    invoice_id = event.invoice.invoice_id
    # Stored for a later push; nothing is sent, and there is nothing to report yet.
    await tenants.publish_invoices(rig.bootstrap, rig.pool, [event])
    assert await rig.sandbox.invoices(rig.company.realm_id) == []

    [body] = await rig.push([invoice_id])
    assert body["event_type"] == "invoice.sync.succeeded"
    assert body["trigger"] == "push"
    assert body["batch_size"] == 1
    assert body["external_number"] == "5001"
    [qbo] = await rig.live_invoices()
    before_push = [r.json() for r in rig.results.records if for_invoice(tenant, invoice_id)(r)]
    assert [r["trigger"] for r in before_push] == ["push"]

    # A change after the push is stored, not sent, and reported: QuickBooks' copy is behind.
    edited = revision(InvoiceUpdated, tenant, invoice_id, number="5001", version=2)
    [_, behind] = await rig.sync(edited, count=2)
    assert behind["event_type"] == "invoice.sync.skipped"
    assert behind["error"]["code"] == "MANUAL_PUSH_MODE"
    assert behind["error"]["details"] == {"external_number": "5001", "synced_version": 1}
    assert behind["number"] == "5001"  # results name the invoice as people know it
    [unchanged] = await rig.live_invoices()
    assert unchanged["SyncToken"] == qbo["SyncToken"]

    # Nothing flows back in One-Way Push: a QuickBooks edit is not published.
    await rig.sandbox.edit_invoice(rig.company.realm_id, qbo["Id"], {"DueDate": "2027-03-31"})
    await changes.settle(7.0)
    assert [r for r in changes.records if r.json()["tenant_id"] == tenant] == []


async def test_batch_reports_each_invoice_and_mapping_later_makes_it_sendable(
    manual_rig: SyncRig,
) -> None:
    rig, tenant = manual_rig, manual_rig.tenant
    mapped = invoice_created(tenant, number="6001", products=("P-1",))
    unmapped = invoice_created(tenant, number="6002", products=("P-1", "P-9"))
    await tenants.publish_invoices(rig.bootstrap, rig.pool, [mapped, unmapped])
    ids = [mapped.invoice.invoice_id, unmapped.invoice.invoice_id, "never-seen"]
    batch_id = await tenants.push(rig.bootstrap, tenant, ids)
    records = await rig.results.wait_for(for_batch(batch_id), count=3, timeout=40)
    by_invoice = {r.json()["invoice_id"]: r.json() for r in records}
    assert set(by_invoice) == set(ids)
    assert all(r["batch_size"] == 3 for r in by_invoice.values())
    assert by_invoice[ids[0]]["event_type"] == "invoice.sync.succeeded"
    assert by_invoice[ids[0]]["external_number"] == "6001"
    assert by_invoice[ids[1]]["error"]["code"] == "PRODUCT_NOT_MAPPED"
    assert by_invoice[ids[1]]["error"]["details"]["unmapped_products"][0]["product_id"] == "P-9"
    failed = by_invoice[ids[1]]
    assert (failed["number"], failed["amount"]) == ("6002", str(unmapped.invoice.total))
    assert failed["customer_name"] == unmapped.invoice.customer.display_name
    assert "P-9 placement" in failed["error"]["message"] and "`" not in failed["error"]["message"]
    assert by_invoice[ids[2]]["number"] is None  # never received: nothing to name it by
    assert by_invoice[ids[2]]["error"]["code"] == "INVOICE_UNKNOWN"
    await rig.results.settle(2.0)
    assert len([r for r in rig.results.records if for_batch(batch_id)(r)]) == 3

    # The invoice was created before its product was mapped; once mapped, it can be sent.
    await tenants.map_products(
        rig.bootstrap, rig.pool, tenant, {"P-9": rig.company.items["Newsletter Sponsorship"]}
    )
    [again] = await rig.push([ids[1]])
    assert again["event_type"] == "invoice.sync.succeeded"
    assert again["external_number"] == "6002"
    totals = sorted(Decimal(str(i["TotalAmt"])) for i in await rig.live_invoices())
    assert totals == [Decimal("100.00"), Decimal("200.00")]


async def test_push_overwrites_a_quickbooks_edit(rig: SyncRig) -> None:
    invoice_id, external_id = await rig.created_in_quickbooks(number="7001")
    await rig.sandbox.edit_invoice(rig.company.realm_id, external_id, {"DocNumber": "HAND-EDIT"})

    [pushed] = await rig.push([invoice_id])
    assert pushed["event_type"] == "invoice.sync.succeeded"
    assert pushed["operation"] == "update"
    [qbo] = await rig.live_invoices()
    assert qbo["Id"] == external_id
    assert qbo["DocNumber"] == "7001"


async def test_not_connected_keeps_the_snapshot_for_a_later_push(
    running_worker: object,
    sandbox: SandboxAdmin,
    results: TopicReader,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    tenant = new_tenant()
    event = invoice_created(tenant, number="8001")
    invoice_id = event.invoice.invoice_id
    [refused] = await sync(kafka_bootstrap_servers, results, event)
    assert refused["error"]["code"] == "NOT_CONNECTED"

    realm = await sandbox.create_realm(items=[{"name": "Display Ad", "unit_price": "100.00"}])
    await tenants.connect(kafka_bootstrap_servers, worker_pg_pool, tenant, realm, ENCRYPTION_KEY)
    await tenants.map_products(
        kafka_bootstrap_servers, worker_pg_pool, tenant, {"P-1": realm["items"][0]["Id"]}
    )
    [pushed] = await push(kafka_bootstrap_servers, results, tenant, [invoice_id])
    assert pushed["event_type"] == "invoice.sync.succeeded"
    assert len(await sandbox.live_invoices(realm["realm_id"])) == 1
