"""Steps the sync end-to-end tests repeat: send MediaOS a new version of an invoice, wait
for the worker's results about it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from services.contract.invoices import (
    InvoiceCreated,
    InvoiceDeleted,
    InvoiceUpdated,
    InvoiceVoided,
)
from tests.e2e.sync.conftest import for_invoice
from tests.support import tenants
from tests.support.factories import invoice_created, invoice_snapshot
from tests.support.kafka import Record, TopicReader

Change = TypeVar("Change", InvoiceCreated, InvoiceUpdated, InvoiceVoided, InvoiceDeleted)


def revision(kind: type[Change], tenant: str, invoice_id: str, **snapshot: Any) -> Change:
    """An event of `kind` about an invoice MediaOS already has (`snapshot` as in
    `invoice_snapshot`, e.g. version and prices)."""
    return kind(tenant_id=tenant, invoice=invoice_snapshot(invoice_id, **snapshot))


async def sync(
    bootstrap: str, results: TopicReader, event: Change, *, count: int = 1
) -> list[dict[str, Any]]:
    """Sends the event as MediaOS does and returns the bodies of the first `count` results
    published for its invoice (earlier ones included)."""
    await tenants.send_invoice(bootstrap, event)
    matches = for_invoice(event.tenant_id, event.invoice.invoice_id)
    return [r.json() for r in await results.wait_for(matches, count=count)]


def for_batch(batch_id: uuid.UUID) -> Callable[[Record], bool]:
    def match(record: Record) -> bool:
        return bool(record.json().get("batch_id") == str(batch_id))

    return match


async def push(
    bootstrap: str, results: TopicReader, tenant: str, invoice_ids: list[str]
) -> list[dict[str, Any]]:
    """Sends the invoices as one batch (`push.requested`, as the gateway does) and returns
    the bodies of the batch's results once there is one per invoice."""
    batch_id = await tenants.push(bootstrap, tenant, invoice_ids)
    batch = await results.wait_for(for_batch(batch_id), count=len(invoice_ids), timeout=40)
    return [r.json() for r in batch]


async def created_in_quickbooks(
    bootstrap: str, results: TopicReader, tenant: str, number: str
) -> tuple[str, str]:
    """Sends MediaOS's create of a new invoice and waits for it to be created in QuickBooks:
    (invoice id, QuickBooks Id)."""
    created = invoice_created(tenant, number=number)
    [body] = await sync(bootstrap, results, created)
    assert body["event_type"] == "invoice.sync.succeeded", body
    return created.invoice.invoice_id, str(body["external_id"])
