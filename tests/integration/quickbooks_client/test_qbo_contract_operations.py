"""The operations the worker uses, end to end against the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.sync_worker.quickbooks import Customer, EmailAddress, QuickBooksClient
from tests.integration.quickbooks_client.conftest import (
    SandboxRealm,
    new_invoice,
    request_id,
)
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.integration


async def test_invoice_lifecycle_queries_and_cdc(
    realm: SandboxRealm,
    sandbox_admin: SandboxAdmin,
    client: QuickBooksClient,
) -> None:
    since = datetime.now(UTC) - timedelta(minutes=5)

    created = await client.create_invoice(
        new_invoice(realm, doc_number="L-1", amount="250.50"), request_id=request_id()
    )
    assert created.id is not None and created.sync_token == "0"
    assert created.total_amt == Decimal("250.50")
    assert created.doc_number == "L-1"
    assert created.meta_data is not None and created.meta_data.create_time is not None

    other = await client.create_invoice(new_invoice(realm), request_id=request_id())
    assert other.doc_number  # assigned by QuickBooks
    assert other.id is not None

    read = await client.get_invoice(created.id)
    assert read.sales_lines[0].sales_item_line_detail is not None
    assert read.sales_lines[0].sales_item_line_detail.unit_price == Decimal("250.50")

    full = read.model_copy(update={"private_note": "full update", "due_date": read.txn_date})
    updated = await client.update_invoice(full, request_id=request_id())
    assert updated.private_note == "full update" and updated.sync_token == "1"

    by_ids = await client.find_invoices_by_ids([created.id, other.id, "424242"])
    assert sorted(i.id or "" for i in by_ids) == sorted([created.id, other.id])

    assert updated.sync_token is not None
    voided = await client.void_invoice(created.id, updated.sync_token, request_id=request_id())
    assert voided.total_amt == 0
    assert (voided.private_note or "").startswith("Voided")

    assert other.sync_token is not None
    deleted = await client.delete_invoice(other.id, other.sync_token, request_id=request_id())
    assert deleted.id == other.id and deleted.status == "Deleted"

    changes = await client.invoice_changes_since(since)
    assert created.id in {i.id for i in changes.changed}
    assert other.id in {d.id for d in changes.deleted}
    assert changes.server_time is not None

    stored = {i["Id"]: i for i in await sandbox_admin.invoices(realm.realm_id)}
    assert stored[created.id]["voided"] is True and stored[other.id]["deleted"] is True


async def test_find_or_create_customer_with_quotes_in_the_name(
    realm: SandboxRealm, client: QuickBooksClient
) -> None:
    name = "O'Brien \\ Sons"
    assert await client.find_customer_by_display_name(name) is None
    customer = Customer(display_name=name, primary_email_addr=EmailAddress(address="a@b.test"))
    created = await client.find_or_create_customer(customer, request_id=request_id())
    assert created.id is not None and created.display_name == name
    found = await client.find_customer_by_display_name(name)
    assert found is not None and found.id == created.id
    again = await client.find_or_create_customer(customer, request_id=request_id())
    assert again.id == created.id
    existing = await client.find_customer_by_display_name("Acme Media")
    assert existing is not None and existing.id == realm.customer_id


async def test_items_are_listed_and_read(realm: SandboxRealm, client: QuickBooksClient) -> None:
    items = await client.list_items()
    assert [(i.id, i.name) for i in items] == [(realm.item_id, "Display Ad")]
    assert items[0].unit_price == Decimal("100.00")
    assert [i.id for i in await client.find_items_by_ids([realm.item_id, "404"])] == [realm.item_id]
