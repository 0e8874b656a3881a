"""Stable error codes carried in result events (`error.code`).

The list is part of the public contract: codes are never renamed or reused. Each code says
whether retrying the same unit of work can help and what the user should do about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_CONNECTED = "NOT_CONNECTED"
    PRODUCT_NOT_MAPPED = "PRODUCT_NOT_MAPPED"
    INVOICE_UNKNOWN = "INVOICE_UNKNOWN"
    INVOICE_NOT_SENDABLE = "INVOICE_NOT_SENDABLE"
    SUPERSEDED = "SUPERSEDED"
    MANUAL_PUSH_MODE = "MANUAL_PUSH_MODE"
    NOT_IN_QUICKBOOKS = "NOT_IN_QUICKBOOKS"
    QBO_AUTH = "QBO_AUTH"
    QBO_VALIDATION = "QBO_VALIDATION"
    QBO_INVALID_REFERENCE = "QBO_INVALID_REFERENCE"
    QBO_DUPLICATE_NUMBER = "QBO_DUPLICATE_NUMBER"
    QBO_CONFLICT = "QBO_CONFLICT"
    QBO_NOT_FOUND = "QBO_NOT_FOUND"
    QBO_RATE_LIMITED = "QBO_RATE_LIMITED"
    QBO_UNAVAILABLE = "QBO_UNAVAILABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"


@dataclass(frozen=True, slots=True)
class ErrorCodeInfo:
    code: ErrorCode
    retryable: bool
    meaning: str
    what_to_do: str


ERROR_CATALOG: dict[ErrorCode, ErrorCodeInfo] = {
    info.code: info
    for info in (
        ErrorCodeInfo(
            ErrorCode.NOT_CONNECTED,
            False,
            "The tenant has no QuickBooks company connected.",
            "Connect QuickBooks for this account, then push the invoice again.",
        ),
        ErrorCodeInfo(
            ErrorCode.PRODUCT_NOT_MAPPED,
            False,
            "At least one invoice line uses a product with no QuickBooks item.",
            "In MediaOS, open Mapping Products to QuickBooks, map each product named here to a "
            "QuickBooks item, then send the invoice again (Retry failed).",
        ),
        ErrorCodeInfo(
            ErrorCode.INVOICE_UNKNOWN,
            False,
            "The sync service has never received this invoice from MediaOS.",
            "Check the invoice id; if it is new, wait a moment for MediaOS to publish it.",
        ),
        ErrorCodeInfo(
            ErrorCode.INVOICE_NOT_SENDABLE,
            False,
            "The invoice cannot be represented in QuickBooks as it is (e.g. no lines).",
            "Correct the invoice in MediaOS as described here, then send it again.",
        ),
        ErrorCodeInfo(
            ErrorCode.SUPERSEDED,
            False,
            "A newer version of this invoice was queued, so this version was not sent.",
            "Nothing: the newer version carries the change.",
        ),
        ErrorCodeInfo(
            ErrorCode.MANUAL_PUSH_MODE,
            False,
            "The tenant uses One-Way Push, so invoice changes are not synced automatically.",
            "Use Send to QuickBooks to push the invoice.",
        ),
        ErrorCodeInfo(
            ErrorCode.NOT_IN_QUICKBOOKS,
            False,
            "The invoice was never sent to QuickBooks, so there is nothing to change there.",
            "Nothing, unless it should be in QuickBooks: then push it.",
        ),
        ErrorCodeInfo(
            ErrorCode.QBO_AUTH,
            False,
            "QuickBooks refused the connection (token revoked or expired).",
            "Reconnect QuickBooks for this account; pending invoices can then be pushed.",
        ),
        ErrorCodeInfo(
            ErrorCode.QBO_VALIDATION,
            False,
            "QuickBooks rejected the invoice's data.",
            "Correct the invoice in MediaOS as QuickBooks describes here, then send it again.",
        ),
        ErrorCodeInfo(
            ErrorCode.QBO_INVALID_REFERENCE,
            False,
            "The invoice refers to a QuickBooks item or customer that is missing or inactive.",
            "In MediaOS, open Mapping Products to QuickBooks, map the product to an active "
            "QuickBooks item, then send the invoice again (Retry failed).",
        ),
        ErrorCodeInfo(
            ErrorCode.QBO_DUPLICATE_NUMBER,
            False,
            "QuickBooks already has a different invoice with this number.",
            "In MediaOS, set an invoice number prefix for QuickBooks, then send the invoice again.",
        ),
        ErrorCodeInfo(
            ErrorCode.QBO_CONFLICT,
            False,
            "The invoice was changed in QuickBooks since the last sync.",
            "Compare the invoice in QuickBooks with MediaOS; sending it again overwrites "
            "QuickBooks.",
        ),
        ErrorCodeInfo(
            ErrorCode.QBO_NOT_FOUND,
            False,
            "The QuickBooks invoice no longer exists (deleted in QuickBooks).",
            "Push the invoice to create it again, or delete it in MediaOS.",
        ),
        ErrorCodeInfo(
            ErrorCode.QBO_RATE_LIMITED,
            True,
            "QuickBooks kept throttling requests for longer than the retry budget.",
            "Nothing usually: retry later; the service retries automatically.",
        ),
        ErrorCodeInfo(
            ErrorCode.QBO_UNAVAILABLE,
            True,
            "QuickBooks did not answer or failed with a server error for too long.",
            "Retry later (Retry failed in the progress window).",
        ),
        ErrorCodeInfo(
            ErrorCode.INTERNAL_ERROR,
            True,
            "An unexpected error in the sync service.",
            "Retry; if it persists, give operators the invoice id and event id.",
        ),
    )
}
