"""Steps the sync end-to-end tests repeat: send MediaOS a new version of an invoice, wait
for the worker's results about it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import asyncpg

from services.contract.invoices import (
    InvoiceCreated,
    InvoiceDeleted,
    InvoiceUpdated,
    InvoiceVoided,
)
from tests.support import tenants
from tests.support.factories import invoice_created, invoice_snapshot
from tests.support.kafka import Record, TopicReader
from tests.support.sandbox import SandboxAdmin

if TYPE_CHECKING:  # the conftest imports this module
    from tests.e2e.sync.conftest import Company

Change = TypeVar("Change", InvoiceCreated, InvoiceUpdated, InvoiceVoided, InvoiceDeleted)


def for_invoice(tenant_id: str, invoice_id: str) -> Callable[[Record], bool]:
    def match(record: Record) -> bool:
        body = record.json()
        return bool(body["tenant_id"] == tenant_id and body["invoice_id"] == invoice_id)

    return match


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


@dataclass
class SyncRig:
    """What a sync test drives and watches: Kafka, the worker's database, the result topic,
    and the tenant's company in the QuickBooks sandbox."""

    bootstrap: str
    pool: asyncpg.Pool
    results: TopicReader
    sandbox: SandboxAdmin
    company: Company

    @property
    def tenant(self) -> str:
        return self.company.tenant_id

    async def sync(self, event: Change, *, count: int = 1) -> list[dict[str, Any]]:
        return await sync(self.bootstrap, self.results, event, count=count)

    async def push(self, invoice_ids: list[str]) -> list[dict[str, Any]]:
        return await push(self.bootstrap, self.results, self.tenant, invoice_ids)

    async def created_in_quickbooks(self, number: str) -> tuple[str, str]:
        return await created_in_quickbooks(self.bootstrap, self.results, self.tenant, number)

    async def live_invoices(self) -> list[dict[str, Any]]:
        """The company's invoices in QuickBooks that are not deleted."""
        return await self.sandbox.live_invoices(self.company.realm_id)
