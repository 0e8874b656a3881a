"""The sync domain's `QuickBooksInvoice` <-> the `Invoice` wire model sent to QuickBooks."""

from __future__ import annotations

from services.sync_worker.sync.domain.quickbooks_invoice import InvoiceLine, QuickBooksInvoice

from .models import Invoice, Line, MemoRef, Ref, SalesItemLineDetail


def _wire_line(line: InvoiceLine) -> Line:
    detail = None
    if line.item_id is not None:
        detail = SalesItemLineDetail(
            item_ref=Ref(value=line.item_id), qty=line.quantity, unit_price=line.unit_price
        )
    # Every field is passed, even None ones: a sparse update sends the fields set on the model.
    return Line(
        amount=line.amount,
        detail_type="SalesItemLineDetail",
        description=line.description,
        line_num=line.line_num,
        sales_item_line_detail=detail,
    )


def to_wire(invoice: QuickBooksInvoice) -> Invoice:
    """The body QuickBooks gets; None fields are left out of what is sent."""
    return Invoice(
        customer_ref=Ref(value=invoice.customer_id),
        line=[_wire_line(ln) for ln in invoice.lines],
        id=invoice.id,
        sync_token=invoice.sync_token,
        doc_number=invoice.doc_number,
        txn_date=invoice.txn_date,
        due_date=invoice.due_date,
        total_amt=invoice.total,
        balance=invoice.balance,
        customer_memo=MemoRef(value=invoice.memo) if invoice.memo else None,
        private_note=invoice.private_note,
        currency_ref=Ref(value=invoice.currency) if invoice.currency is not None else None,
    )


def _domain_line(line: Line) -> InvoiceLine:
    detail = line.sales_item_line_detail
    return InvoiceLine(
        amount=line.amount,
        item_id=detail.item_ref.value if detail else None,
        quantity=detail.qty if detail else None,
        unit_price=detail.unit_price if detail else None,
        description=line.description,
        line_num=line.line_num,
    )


def to_domain(invoice: Invoice) -> QuickBooksInvoice:
    """What the sync rules read of an invoice QuickBooks returned (its item lines only)."""
    return QuickBooksInvoice(
        customer_id=invoice.customer_ref.value,
        lines=tuple(_domain_line(ln) for ln in invoice.sales_lines),
        doc_number=invoice.doc_number,
        txn_date=invoice.txn_date,
        due_date=invoice.due_date,
        memo=invoice.customer_memo.value if invoice.customer_memo else None,
        private_note=invoice.private_note,
        currency=invoice.currency_ref.value if invoice.currency_ref else None,
        id=invoice.id,
        sync_token=invoice.sync_token,
        total=invoice.total_amt,
        balance=invoice.balance,
    )
