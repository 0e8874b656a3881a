"""Field-by-field comparison of one MediaOS invoice with its QuickBooks invoice, over the
fields the service writes: number, customer, lines, total, dates, memo, voided."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.contract.invoices import InvoiceSnapshot
from services.contract.reconciliation import FieldDifference

from .model import MediaosInvoice, QuickBooksInvoice, QuickBooksLine, TenantView

_CENT = Decimal("0.01")


def money(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(_CENT), "f")


def _quantity(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.normalize(), "f")


def expected_doc_number(invoice: InvoiceSnapshot, prefix: str | None) -> str:
    return f"{prefix or ''}{invoice.number}"


def _mediaos_lines(invoice: InvoiceSnapshot, tenant: TenantView) -> list[str]:
    return [
        _line_text(
            tenant.item_ids.get(ln.product_id) or f"unmapped {ln.product_id}",
            _quantity(ln.quantity),
            money(ln.unit_price),
            money(ln.amount),
            ln.description,
        )
        for ln in invoice.lines
    ]


def _quickbooks_lines(lines: tuple[QuickBooksLine, ...]) -> list[str]:
    return [
        _line_text(
            ln.item_id or "no item",
            _quantity(ln.quantity),
            money(ln.unit_price),
            money(ln.amount),
            ln.description,
        )
        for ln in lines
    ]


def _line_text(
    item: str, qty: str | None, price: str | None, amount: str | None, text: str | None
) -> str:
    described = f" {text!r}" if text else ""
    return f"item {item}: {qty} x {price} = {amount}{described}"


def _customer(
    invoice: InvoiceSnapshot, qbo: QuickBooksInvoice, tenant: TenantView
) -> FieldDifference | None:
    src = invoice.customer
    linked = tenant.customer_ids.get(src.customer_id)
    if linked is not None:
        if linked == qbo.customer_id:
            return None
        return FieldDifference(
            field="customer",
            mediaos=f"{src.display_name} (QuickBooks customer {linked})",
            quickbooks=f"{qbo.customer_name or '?'} (QuickBooks customer {qbo.customer_id})",
        )
    if qbo.customer_name is None or qbo.customer_name == src.display_name:
        return None
    return FieldDifference(field="customer", mediaos=src.display_name, quickbooks=qbo.customer_name)


def differences(
    mediaos: MediaosInvoice, qbo: QuickBooksInvoice, tenant: TenantView
) -> list[FieldDifference]:
    """Every field where QuickBooks does not hold what MediaOS wants; empty when in sync."""
    inv = mediaos.snapshot
    if mediaos.voided or qbo.voided:
        # A voided invoice keeps its number and customer; its amounts are zero by definition.
        pairs: list[tuple[str, str | None, str | None]] = [
            ("voided", str(mediaos.voided).lower(), str(qbo.voided).lower()),
            ("number", expected_doc_number(inv, tenant.number_prefix), qbo.doc_number),
        ]
        if mediaos.voided != qbo.voided:
            pairs.append(("total", money(effective_total(mediaos)), money(qbo.total)))
    else:
        pairs = [
            ("number", expected_doc_number(inv, tenant.number_prefix), qbo.doc_number),
            ("lines", _joined(_mediaos_lines(inv, tenant)), _joined(_quickbooks_lines(qbo.lines))),
            ("total", money(inv.total), money(qbo.total)),
            ("issue_date", inv.issue_date.isoformat(), _iso(qbo.txn_date)),
            ("due_date", _iso(inv.due_date), _iso(qbo.due_date)),
            ("memo", inv.memo or None, qbo.memo or None),
        ]
    found = [FieldDifference(field=f, mediaos=m, quickbooks=q) for f, m, q in pairs if m != q]
    customer = _customer(inv, qbo, tenant)
    if customer is not None:
        found.append(customer)
    return sorted(found, key=lambda d: d.field)


def _joined(lines: list[str]) -> str:
    return "; ".join(lines)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def effective_total(mediaos: MediaosInvoice) -> Decimal:
    """What MediaOS says is owed: nothing for a voided or deleted invoice."""
    if mediaos.voided or mediaos.deleted:
        return Decimal("0")
    return mediaos.snapshot.total
