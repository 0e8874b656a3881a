"""`quickbooks.invoice-changes.v1`: changes made in QuickBooks, flowing back (two-way only)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from services.contract.common import EventEnvelope, Money, Text, UtcDatetime


class _QuickBooksInvoiceEvent(EventEnvelope):
    invoice_id: Text = Field(description="The MediaOS invoice id.")
    realm_id: Text
    external_id: Text
    external_number: Text | None = None
    changed_at: UtcDatetime
    source: Literal["webhook", "cdc"]


class QuickBooksInvoiceChanged(_QuickBooksInvoiceEvent):
    event_type: Literal["quickbooks.invoice.changed"] = "quickbooks.invoice.changed"
    sync_token: Text
    total: Money
    balance: Money
    status: Literal["open", "paid", "partially_paid", "voided"]


class QuickBooksInvoiceDeleted(_QuickBooksInvoiceEvent):
    event_type: Literal["quickbooks.invoice.deleted"] = "quickbooks.invoice.deleted"


QuickBooksInvoiceEvent = Annotated[
    QuickBooksInvoiceChanged | QuickBooksInvoiceDeleted, Field(discriminator="event_type")
]
