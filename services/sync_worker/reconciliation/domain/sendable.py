"""Why an invoice that is not in QuickBooks could not be sent there (the same rules the
sync applies before writing)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.contract.errors import ErrorCode

from .fields import expected_doc_number
from .model import MediaosInvoice, TenantView

MAX_DOC_NUMBER = 21
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Unsendable:
    code: ErrorCode
    message: str


def why_not_sendable(mediaos: MediaosInvoice, tenant: TenantView) -> Unsendable | None:
    inv = mediaos.snapshot
    if not tenant.connected:
        return Unsendable(ErrorCode.NOT_CONNECTED, "The tenant is not connected to QuickBooks.")
    unmapped = sorted({ln.product_id for ln in inv.lines if not tenant.item_ids.get(ln.product_id)})
    if unmapped:
        return Unsendable(
            ErrorCode.PRODUCT_NOT_MAPPED,
            "Products not mapped to a QuickBooks item: " + ", ".join(unmapped) + ".",
        )
    if not inv.lines:
        return Unsendable(ErrorCode.INVOICE_NOT_SENDABLE, "The invoice has no lines.")
    number = expected_doc_number(inv, tenant.number_prefix)
    if len(number) > MAX_DOC_NUMBER:
        return Unsendable(
            ErrorCode.INVOICE_NOT_SENDABLE,
            f"Invoice number {number!r} is longer than {MAX_DOC_NUMBER} characters.",
        )
    for ln in inv.lines:
        if ln.amount.quantize(_CENT) != (ln.quantity * ln.unit_price).quantize(_CENT):
            return Unsendable(
                ErrorCode.INVOICE_NOT_SENDABLE,
                f"Line {ln.line_id}: amount is not quantity x unit price.",
            )
    return None
