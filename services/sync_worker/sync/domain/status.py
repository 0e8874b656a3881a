from __future__ import annotations

from decimal import Decimal
from typing import Literal

from services.sync_worker.sync.domain.quickbooks_invoice import QuickBooksInvoice

InvoiceStatus = Literal["open", "paid", "partially_paid", "voided"]


def quickbooks_status(invoice: QuickBooksInvoice) -> InvoiceStatus:
    total = invoice.total or Decimal("0")
    balance = invoice.balance if invoice.balance is not None else total
    if total == 0 and (invoice.private_note or "").startswith("Voided"):
        return "voided"
    if total > 0 and balance == 0:
        return "paid"
    if 0 < balance < total:
        return "partially_paid"
    return "open"
