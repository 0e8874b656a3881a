"""The two sides being compared, in plain data: what MediaOS has and what QuickBooks has."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.contract.invoices import InvoiceSnapshot

MARKER_PREFIX = "MediaOS invoice "


@dataclass(frozen=True, slots=True)
class QuickBooksLine:
    item_id: str | None
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal
    description: str | None


@dataclass(frozen=True, slots=True)
class QuickBooksInvoice:
    """One QuickBooks invoice as read by a query (voided ones included; deleted never)."""

    id: str
    sync_token: str | None
    doc_number: str | None
    customer_id: str | None
    customer_name: str | None
    txn_date: date | None
    due_date: date | None
    total: Decimal
    memo: str | None
    private_note: str | None
    lines: tuple[QuickBooksLine, ...] = ()
    voided: bool = False

    def marked_invoice_id(self) -> str | None:
        """The MediaOS invoice id our writes put in PrivateNote (survives "Voided - ")."""
        note = self.private_note or ""
        at = note.rfind(MARKER_PREFIX)
        if at < 0:
            return None
        found = note[at + len(MARKER_PREFIX) :].strip()
        return found or None


@dataclass(frozen=True, slots=True)
class MediaosInvoice:
    snapshot: InvoiceSnapshot
    event_type: str

    @property
    def deleted(self) -> bool:
        return self.event_type == "invoice.deleted"

    @property
    def voided(self) -> bool:
        return self.event_type == "invoice.voided"


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """What the service last wrote to this realm for one MediaOS invoice."""

    invoice_id: str
    external_id: str | None
    sync_token: str | None
    status: str


@dataclass(frozen=True, slots=True)
class TenantView:
    """What decides how an invoice should look in QuickBooks."""

    connected: bool
    number_prefix: str | None
    item_ids: dict[str, str | None] = field(default_factory=dict)
    customer_ids: dict[str, str] = field(default_factory=dict)
