"""MediaOS invoice snapshot -> the domain's QuickBooks invoice. Pure: every input is passed in."""

from __future__ import annotations

from decimal import Decimal

from services.contract.errors import ErrorCode
from services.contract.invoices import InvoiceSnapshot
from services.sync_worker.sync.domain.failures import SyncFailure
from services.sync_worker.sync.domain.quickbooks_invoice import InvoiceLine, QuickBooksInvoice

MAX_DOC_NUMBER = 21
_CENT = Decimal("0.01")


def doc_number(number: str, prefix: str | None) -> str:
    """DocNumber = the tenant's optional prefix + the MediaOS number (QuickBooks allows 21)."""
    value = f"{prefix or ''}{number}"
    if len(value) > MAX_DOC_NUMBER:
        raise SyncFailure(
            ErrorCode.INVOICE_NOT_SENDABLE,
            f"Invoice number {value!r} is {len(value)} characters; QuickBooks allows "
            f"{MAX_DOC_NUMBER}. Shorten the number prefix.",
            {"doc_number": value},
        )
    return value


def unmapped_products(
    invoice: InvoiceSnapshot, item_ids: dict[str, str | None], names: dict[str, str]
) -> list[dict[str, str]]:
    """Every product on the invoice without a QuickBooks item, each named once."""
    missing: dict[str, dict[str, str]] = {}
    for line in invoice.lines:
        if not item_ids.get(line.product_id) and line.product_id not in missing:
            missing[line.product_id] = {
                "product_id": line.product_id,
                "product_name": names.get(line.product_id) or line.description or "",
            }
    return list(missing.values())


def require_mapped(
    invoice: InvoiceSnapshot, item_ids: dict[str, str | None], names: dict[str, str]
) -> dict[str, str]:
    missing = unmapped_products(invoice, item_ids, names)
    if missing:
        listed = ", ".join(
            f"{m['product_name']} (product code {m['product_id']})"
            if m["product_name"]
            else f"product code {m['product_id']}"
            for m in missing
        )
        subject = "This product has" if len(missing) == 1 else "These products have"
        raise SyncFailure(
            ErrorCode.PRODUCT_NOT_MAPPED,
            f"{subject} no QuickBooks item yet: {listed}.",
            {"unmapped_products": missing},
        )
    return {k: v for k, v in item_ids.items() if v}


def _line(invoice: InvoiceSnapshot, index: int, item_id: str) -> InvoiceLine:
    src = invoice.lines[index]
    expected = (src.quantity * src.unit_price).quantize(_CENT)
    if src.amount.quantize(_CENT) != expected:
        raise SyncFailure(
            ErrorCode.INVOICE_NOT_SENDABLE,
            f"Line {src.line_id}: amount {src.amount} is not quantity {src.quantity} x unit "
            f"price {src.unit_price} ({expected}); QuickBooks requires them to agree.",
            {"line_id": src.line_id},
        )
    return InvoiceLine(
        amount=src.amount,
        item_id=item_id,
        quantity=src.quantity,
        unit_price=src.unit_price,
        description=src.description,
        line_num=index + 1,
    )


def to_quickbooks(
    invoice: InvoiceSnapshot,
    *,
    customer_id: str,
    item_ids: dict[str, str],
    number_prefix: str | None,
) -> QuickBooksInvoice:
    if not invoice.lines:
        raise SyncFailure(
            ErrorCode.INVOICE_NOT_SENDABLE,
            "The invoice has no lines; QuickBooks needs at least one.",
        )
    return QuickBooksInvoice(
        customer_id=customer_id,
        lines=tuple(
            _line(invoice, i, item_ids[ln.product_id]) for i, ln in enumerate(invoice.lines)
        ),
        doc_number=doc_number(invoice.number, number_prefix),
        txn_date=invoice.issue_date,
        due_date=invoice.due_date,
        memo=invoice.memo or None,
        private_note=f"MediaOS invoice {invoice.invoice_id}",
        currency=invoice.currency,
    )
