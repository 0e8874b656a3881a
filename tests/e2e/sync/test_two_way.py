"""Two-way mode over real Kafka, PostgreSQL, the worker process and the QuickBooks sandbox."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import pytest

from services.contract.invoices import InvoiceDeleted, InvoiceUpdated, InvoiceVoided
from tests.e2e.sync.steps import SyncRig, for_invoice, revision
from tests.support import tenants
from tests.support.factories import invoice_created
from tests.support.kafka import TopicReader

pytestmark = pytest.mark.e2e


async def test_create_update_void_delete_mirror_into_quickbooks(rig: SyncRig) -> None:
    tenant = rig.tenant
    await tenants.change_settings(rig.bootstrap, rig.pool, tenant, invoice_number_prefix="MO-")
    created = invoice_created(tenant, number="1001", unit_price="100.00", quantity="2")
    invoice_id = created.invoice.invoice_id
    [body] = await rig.sync(created)
    assert body["event_type"] == "invoice.sync.succeeded", body
    assert body["operation"] == "create"
    assert body["external_number"] == "MO-1001"
    [qbo] = await rig.live_invoices()
    assert qbo["Id"] == body["external_id"]
    assert qbo["DocNumber"] == "MO-1001"
    assert Decimal(str(qbo["TotalAmt"])) == Decimal("200.00")

    prices = {"number": "1001", "unit_price": "150.00", "quantity": "2"}
    updated = revision(InvoiceUpdated, tenant, invoice_id, version=2, **prices)
    bodies = await rig.sync(updated, count=2)
    assert bodies[1]["operation"] == "update"
    assert bodies[1]["event_type"] == "invoice.sync.succeeded"
    [qbo] = await rig.live_invoices()
    assert Decimal(str(qbo["TotalAmt"])) == Decimal("300.00")

    voided = revision(InvoiceVoided, tenant, invoice_id, version=3, **prices)
    bodies = await rig.sync(voided, count=3)
    assert bodies[2]["operation"] == "void"
    [qbo] = await rig.live_invoices()
    assert Decimal(str(qbo["TotalAmt"])) == Decimal("0")
    assert qbo["PrivateNote"].startswith("Voided")

    deleted = revision(InvoiceDeleted, tenant, invoice_id, number="1001", version=4)
    bodies = await rig.sync(deleted, count=4)
    assert bodies[3]["operation"] == "delete"
    assert bodies[3]["event_type"] == "invoice.sync.succeeded"
    assert await rig.live_invoices() == []


async def test_unmapped_product_fails_naming_it_and_nothing_is_written(rig: SyncRig) -> None:
    event = invoice_created(rig.tenant, products=("P-1", "P-404", "P-405"))
    [body] = await rig.sync(event)
    assert body["event_type"] == "invoice.sync.failed"
    assert body["error"]["code"] == "PRODUCT_NOT_MAPPED"
    unmapped = [p["product_id"] for p in body["error"]["details"]["unmapped_products"]]
    assert unmapped == ["P-404", "P-405"]
    assert "P-404" in body["error"]["message"] and "P-405" in body["error"]["message"]
    assert await rig.sandbox.invoices(rig.company.realm_id) == []


async def test_conflict_is_reported_not_overwritten(rig: SyncRig) -> None:
    invoice_id, external_id = await rig.created_in_quickbooks(number="2001")

    await rig.sandbox.edit_invoice(rig.company.realm_id, external_id, {"DueDate": "2027-01-31"})
    update = revision(
        InvoiceUpdated, rig.tenant, invoice_id, number="2001", version=2, unit_price="120.00"
    )
    body = (await rig.sync(update, count=2))[1]
    assert body["event_type"] == "invoice.sync.failed"
    assert body["error"]["code"] == "QBO_CONFLICT"
    fields = {d["field"] for d in body["error"]["details"]["differences"]}
    assert fields == {"due_date"}
    [qbo] = await rig.live_invoices()
    assert Decimal(str(qbo["TotalAmt"])) == Decimal("100.00"), "must not be overwritten"
    assert qbo["DueDate"] == "2027-01-31"


async def test_versions_collapse_to_the_newest_and_never_apply_out_of_order(
    rig: SyncRig,
) -> None:
    tenant = rig.tenant
    # The first create is slow, so the next versions queue up behind it.
    await rig.sandbox.add_fault(
        rig.company.realm_id, kind="latency", latency_ms=2500, endpoint="invoice.create", count=1
    )
    first = invoice_created(tenant, number="3001")
    invoice_id = first.invoice.invoice_id
    await tenants.send_invoice(rig.bootstrap, first)
    await _wait_in_flight(rig.pool, tenant, invoice_id)
    for version, price in ((2, "110.00"), (3, "120.00"), (4, "130.00")):
        update = revision(
            InvoiceUpdated, tenant, invoice_id, number="3001", version=version, unit_price=price
        )
        await tenants.send_invoice(rig.bootstrap, update)
    records = await rig.results.wait_for(for_invoice(tenant, invoice_id), count=4)
    by_version = {r.json()["invoice_version"]: r.json() for r in records}
    assert by_version[2]["event_type"] == "invoice.sync.skipped"
    assert by_version[2]["error"]["code"] == "SUPERSEDED"
    assert by_version[3]["event_type"] == "invoice.sync.skipped"
    final = [r.json() for r in records if r.json()["event_type"] == "invoice.sync.succeeded"]
    assert [f["operation"] for f in final] == ["create", "update"]
    assert final[-1]["invoice_version"] == 4
    [qbo] = await rig.live_invoices()
    assert Decimal(str(qbo["TotalAmt"])) == Decimal("130.00")

    # A stale version arriving late is skipped, never applied over the newer one.
    stale = revision(
        InvoiceUpdated, tenant, invoice_id, number="3001", version=3, unit_price="1.00"
    )
    late = (await rig.sync(stale, count=5))[4]
    assert late["event_type"] == "invoice.sync.skipped"
    assert late["invoice_version"] == 3
    [qbo] = await rig.live_invoices()
    assert Decimal(str(qbo["TotalAmt"])) == Decimal("130.00")


async def _wait_in_flight(pool: asyncpg.Pool, tenant: str, invoice_id: str) -> None:
    await tenants.wait_for_row(
        pool,
        "SELECT 1 FROM work_items WHERE tenant_id = $1 AND invoice_id = $2 AND state = 'in_flight'",
        tenant,
        invoice_id,
    )


async def test_quickbooks_edit_flows_back_through_cdc_without_echo(
    rig: SyncRig, changes: TopicReader
) -> None:
    tenant = rig.tenant
    invoice_id, external_id = await rig.created_in_quickbooks(number="4001")
    # Our own create must not come back: let two CDC sweeps pass (interval 3 s in tests).
    await changes.settle(7.0)
    assert [r for r in changes.records if r.json()["tenant_id"] == tenant] == []

    await rig.sandbox.edit_invoice(rig.company.realm_id, external_id, {"DueDate": "2027-02-28"})
    [change] = await changes.wait_for(for_invoice(tenant, invoice_id), timeout=30)
    body = change.json()
    assert body["event_type"] == "quickbooks.invoice.changed"
    assert body["source"] == "cdc"
    assert body["external_id"] == external_id
    assert body["sync_token"] == "1"
    assert body["status"] == "open"
    # Reported once, even though later sweeps see it again.
    await changes.settle(7.0)
    assert len([r for r in changes.records if r.json()["tenant_id"] == tenant]) == 1
