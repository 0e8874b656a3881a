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


class QboModel(BaseModel):
    model_config = ConfigDict(extra="allow", validate_by_name=True, validate_by_alias=True)

    def to_qbo(self) -> dict[str, Any]:
        """Body for QuickBooks: aliases, no unset/None fields, Decimals kept for jsonutil."""
        return self.model_dump(by_alias=True, exclude_none=True)


class Ref(QboModel):
    value: str
    name: str | None = None


class EmailAddress(QboModel):
    address: str | None = Field(default=None, alias="Address")


class MemoRef(QboModel):
    value: str


class MetaData(QboModel):
    create_time: datetime | None = Field(default=None, alias="CreateTime")
    last_updated_time: datetime | None = Field(default=None, alias="LastUpdatedTime")


class SalesItemLineDetail(QboModel):
    item_ref: Ref = Field(alias="ItemRef")
    qty: Decimal | None = Field(default=None, alias="Qty")
    unit_price: Decimal | None = Field(default=None, alias="UnitPrice")


class Line(QboModel):
    amount: Decimal = Field(alias="Amount")
    detail_type: str = Field(default="SalesItemLineDetail", alias="DetailType")
    sales_item_line_detail: SalesItemLineDetail | None = Field(
        default=None, alias="SalesItemLineDetail"
    )
    id: str | None = Field(default=None, alias="Id")
    line_num: int | None = Field(default=None, alias="LineNum")
    description: str | None = Field(default=None, alias="Description")


class Invoice(QboModel):
    customer_ref: Ref = Field(alias="CustomerRef")
    line: list[Line] = Field(default_factory=list, alias="Line")
    id: str | None = Field(default=None, alias="Id")
    sync_token: str | None = Field(default=None, alias="SyncToken")
    doc_number: str | None = Field(default=None, alias="DocNumber")
    txn_date: date | None = Field(default=None, alias="TxnDate")
    due_date: date | None = Field(default=None, alias="DueDate")
    total_amt: Decimal | None = Field(default=None, alias="TotalAmt")
    balance: Decimal | None = Field(default=None, alias="Balance")
    private_note: str | None = Field(default=None, alias="PrivateNote")
    customer_memo: MemoRef | None = Field(default=None, alias="CustomerMemo")
    currency_ref: Ref | None = Field(default=None, alias="CurrencyRef")
    meta_data: MetaData | None = Field(default=None, alias="MetaData")

    @property
    def sales_lines(self) -> list[Line]:
        """Item lines only (QuickBooks adds a SubTotalLine to what it returns)."""
        return [ln for ln in self.line if ln.detail_type == "SalesItemLineDetail"]


class Customer(QboModel):
    display_name: str = Field(alias="DisplayName")
    id: str | None = Field(default=None, alias="Id")
    sync_token: str | None = Field(default=None, alias="SyncToken")
    primary_email_addr: EmailAddress | None = Field(default=None, alias="PrimaryEmailAddr")
    active: bool | None = Field(default=None, alias="Active")


class Item(QboModel):
    name: str = Field(alias="Name")
    id: str | None = Field(default=None, alias="Id")
    active: bool | None = Field(default=None, alias="Active")
    unit_price: Decimal | None = Field(default=None, alias="UnitPrice")
    type: str | None = Field(default=None, alias="Type")


class DeletedObject(QboModel):
    """What QuickBooks returns for a delete, or a CDC stub of a deleted object."""

    id: str = Field(alias="Id")
    status: str | None = Field(default=None, alias="status")
    domain: str | None = Field(default=None, alias="domain")
    meta_data: MetaData | None = Field(default=None, alias="MetaData")


class InvoiceChanges(BaseModel):
    """Result of a CDC call for invoices."""

    model_config = ConfigDict(frozen=True)

    changed: list[Invoice]
    deleted: list[DeletedObject]
    server_time: datetime | None
    # QuickBooks returns at most 1,000 objects; when hit, ask again from the newest change.
    may_be_truncated: bool
