"""`mediaos.invoices.v1`: invoice changes published by MediaOS core."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from services.contract.common import ContractModel, EventEnvelope, Money, Text, UtcDatetime


class InvoiceCustomer(ContractModel):
    customer_id: Text = Field(min_length=1, max_length=64)
    display_name: Text = Field(min_length=1, max_length=500)
    email: Text | None = None


class InvoiceLine(ContractModel):
    line_id: Text = Field(min_length=1, max_length=64)
    product_id: Text = Field(min_length=1, max_length=64)
    description: Text | None = Field(default=None, max_length=4000)
    quantity: Money
    unit_price: Money
    amount: Money


class InvoiceSnapshot(ContractModel):
    """The whole invoice as MediaOS holds it after the change."""

    invoice_id: Text = Field(min_length=1, max_length=64)
    number: Text = Field(min_length=1, max_length=21)
    version: int = Field(
        ge=1, le=2_147_483_647, description="Increases on every change of this invoice."
    )
    customer: InvoiceCustomer
    issue_date: date
    due_date: date | None = None
    currency: str = Field(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")
    lines: list[InvoiceLine]
    total: Money
    memo: Text | None = Field(default=None, max_length=4000)
    created_at: UtcDatetime


class _InvoiceEvent(EventEnvelope):
    invoice: InvoiceSnapshot


class InvoiceCreated(_InvoiceEvent):
    event_type: Literal["invoice.created"] = "invoice.created"


class InvoiceUpdated(_InvoiceEvent):
    event_type: Literal["invoice.updated"] = "invoice.updated"


class InvoiceVoided(_InvoiceEvent):
    event_type: Literal["invoice.voided"] = "invoice.voided"


class InvoiceDeleted(_InvoiceEvent):
    event_type: Literal["invoice.deleted"] = "invoice.deleted"


InvoiceEvent = Annotated[
    InvoiceCreated | InvoiceUpdated | InvoiceVoided | InvoiceDeleted,
    Field(discriminator="event_type"),
]
