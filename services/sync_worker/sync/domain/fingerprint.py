"""The fields users care about, to tell whether QuickBooks changed since the last sync."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.sync_worker.sync.domain.quickbooks_invoice import QuickBooksInvoice


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(Decimal("0.01")), "f")


def fingerprint(invoice: QuickBooksInvoice) -> dict[str, Any]:
    lines = [
        {
            "item": ln.item_id,
            "quantity": str(ln.quantity.normalize()) if ln.quantity is not None else None,
            "amount": _money(ln.amount),
            "description": ln.description,
        }
        for ln in invoice.lines
    ]
    total = invoice.total
    if total is None:
        total = sum((ln.amount for ln in invoice.lines), Decimal("0"))
    return {
        "doc_number": invoice.doc_number,
        "customer": invoice.customer_id,
        "txn_date": invoice.txn_date.isoformat() if invoice.txn_date else None,
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "total": _money(total),
        "memo": invoice.memo,
        "lines": lines,
    }


def differences(
    last_synced: dict[str, Any], in_quickbooks: dict[str, Any], from_mediaos: dict[str, Any]
) -> list[dict[str, Any]]:
    """Fields QuickBooks changed since the last sync, with what MediaOS now wants there."""
    return [
        {
            "field": field,
            "last_synced": last_synced.get(field),
            "quickbooks": in_quickbooks.get(field),
            "mediaos": from_mediaos.get(field),
        }
        for field in sorted(set(last_synced) | set(in_quickbooks))
        if last_synced.get(field) != in_quickbooks.get(field)
    ]
