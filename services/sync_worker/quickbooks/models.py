"""Typed QuickBooks entities (only the fields the sync uses; unknown fields are kept as-is).

Attributes are snake_case; `to_qbo()` produces QuickBooks' PascalCase JSON. Unknown fields
read from QuickBooks survive a read -> modify -> full update round trip, so a full update does
not null fields this model does not know about.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_pascal


class QboModel(BaseModel):
    """Each field's QuickBooks name is its PascalCase form unless it sets its own alias."""

    model_config = ConfigDict(
        extra="allow", alias_generator=to_pascal, validate_by_name=True, validate_by_alias=True
    )

    def to_qbo(self) -> dict[str, Any]:
        """Body for QuickBooks: aliases, no unset/None fields, Decimals kept for jsonutil."""
        return self.model_dump(by_alias=True, exclude_none=True)


class Ref(QboModel):
    model_config = ConfigDict(alias_generator=None)  # QuickBooks names these in lowercase

    value: str
    name: str | None = None


class EmailAddress(QboModel):
    address: str | None = None


class MemoRef(QboModel):
    model_config = ConfigDict(alias_generator=None)

    value: str


class MetaData(QboModel):
    create_time: datetime | None = None
    last_updated_time: datetime | None = None


class SalesItemLineDetail(QboModel):
    item_ref: Ref
    qty: Decimal | None = None
    unit_price: Decimal | None = None


class Line(QboModel):
    amount: Decimal
    detail_type: str = "SalesItemLineDetail"
    sales_item_line_detail: SalesItemLineDetail | None = None
    id: str | None = None
    line_num: int | None = None
    description: str | None = None


class Invoice(QboModel):
    customer_ref: Ref
    line: list[Line] = Field(default_factory=list)
    id: str | None = None
    sync_token: str | None = None
    doc_number: str | None = None
    txn_date: date | None = None
    due_date: date | None = None
    total_amt: Decimal | None = None
    balance: Decimal | None = None
    private_note: str | None = None
    customer_memo: MemoRef | None = None
    currency_ref: Ref | None = None
    meta_data: MetaData | None = None

    @property
    def sales_lines(self) -> list[Line]:
        """Item lines only (QuickBooks adds a SubTotalLine to what it returns)."""
        return [ln for ln in self.line if ln.detail_type == "SalesItemLineDetail"]


class Customer(QboModel):
    display_name: str
    id: str | None = None
    sync_token: str | None = None
    primary_email_addr: EmailAddress | None = None
    active: bool | None = None


class Item(QboModel):
    name: str
    id: str | None = None
    active: bool | None = None
    unit_price: Decimal | None = None
    type: str | None = None


class DeletedObject(QboModel):
    """What QuickBooks returns for a delete, or a CDC stub of a deleted object."""

    id: str
    status: str | None = Field(default=None, alias="status")
    domain: str | None = Field(default=None, alias="domain")
    meta_data: MetaData | None = None


class InvoiceChanges(BaseModel):
    """Result of a CDC call for invoices."""

    model_config = ConfigDict(frozen=True)

    changed: list[Invoice]
    deleted: list[DeletedObject]
    server_time: datetime | None
    # QuickBooks returns at most 1,000 objects; when hit, ask again from the newest change.
    may_be_truncated: bool
