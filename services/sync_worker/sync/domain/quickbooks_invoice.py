"""A QuickBooks invoice as the sync rules see it: what translation produces and what the
fingerprint and status read. The QuickBooks adapter maps it to and from its wire model
(`quickbooks.invoice_mapping`), so these rules never depend on the wire format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """An item line (QuickBooks' sales lines; its subtotal lines are not kept)."""

    amount: Decimal
    item_id: str | None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    description: str | None = None
    line_num: int | None = None


@dataclass(frozen=True, slots=True)
class QuickBooksInvoice:
    customer_id: str
    lines: tuple[InvoiceLine, ...]
    doc_number: str | None = None
    txn_date: date | None = None
    due_date: date | None = None
    memo: str | None = None
    private_note: str | None = None
    currency: str | None = None
    # Set on what QuickBooks returned; None on what translation produced.
    id: str | None = None
    sync_token: str | None = None
    total: Decimal | None = None
    balance: Decimal | None = None
