"""Deterministic QuickBooks `requestid`s: the same unit of work always sends the same id, so
QuickBooks replays instead of writing twice after a timeout, a crash or a redelivery.

QuickBooks also replays a *fault* for a repeated id. A create it definitively rejected
(`rejected_definitively`) created nothing, so the invoice moves to the next generation and
the corrected invoice goes out under a fresh id; a create that may have happened (timeout,
crash, 5xx) keeps its generation and id."""

from __future__ import annotations

import hashlib

from services.contract.errors import ErrorCode

# Validation faults: QuickBooks refused the request as a whole and stored nothing.
_DEFINITIVE_REJECTIONS = frozenset(
    {ErrorCode.QBO_VALIDATION, ErrorCode.QBO_INVALID_REFERENCE, ErrorCode.QBO_DUPLICATE_NUMBER}
)


def _id(*parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return digest[:40]


def create_invoice_id(tenant_id: str, invoice_id: str, generation: int) -> str:
    """Per invoice (not per unit of work): whichever unit creates it, it is created once."""
    return "c" + _id("create", tenant_id, invoice_id, generation)


def rejected_definitively(code: ErrorCode, http_status: int | None) -> bool:
    """True when QuickBooks answered a create with a validation fault (HTTP 400): nothing
    was created, so retrying under the same request id would only replay the fault."""
    return code in _DEFINITIVE_REJECTIONS and http_status == 400


def write_id(work_item_id: int, step: str) -> str:
    return "w" + _id("write", work_item_id, step)


def customer_id(tenant_id: str, customer_id: str, display_name: str) -> str:
    return "k" + _id("customer", tenant_id, customer_id, display_name)
