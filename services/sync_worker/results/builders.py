from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from services.contract.errors import ERROR_CATALOG, ErrorCode
from services.contract.invoices import InvoiceSnapshot
from services.contract.results import (
    InvoiceSyncFailed,
    InvoiceSyncSkipped,
    InvoiceSyncSucceeded,
    Operation,
    SyncError,
    Trigger,
)
from services.contract.topics import Topic, invoice_key
from services.platform.outbox import OutboxMessage, event_message


@dataclass(frozen=True, slots=True)
class InvoiceDisplay:
    """What a person recognises an invoice by (carried on results for progress windows)."""

    number: str | None = None
    customer_name: str | None = None
    amount: Decimal | None = None
    currency: str | None = None


def display_of(snapshot: InvoiceSnapshot | None) -> InvoiceDisplay:
    if snapshot is None:
        return InvoiceDisplay()
    return InvoiceDisplay(
        number=snapshot.number,
        customer_name=snapshot.customer.display_name,
        amount=snapshot.total,
        currency=snapshot.currency,
    )


@dataclass(frozen=True, slots=True)
class ResultSubject:
    """Which unit of work a result is about."""

    tenant_id: str
    invoice_id: str
    invoice_version: int | None
    trigger: Trigger
    batch_id: UUID | None = None
    batch_size: int | None = None
    display: InvoiceDisplay = InvoiceDisplay()


def sync_error(
    code: ErrorCode, message: str | None = None, details: dict[str, Any] | None = None
) -> SyncError:
    info = ERROR_CATALOG[code]
    text = message or info.meaning
    if info.what_to_do not in text:
        text = f"{text} {info.what_to_do}"
    return SyncError(
        code=code,
        message=text,
        retryable=info.retryable,
        details=details or {},
    )


def _common(subject: ResultSubject) -> dict[str, Any]:
    return {
        "tenant_id": subject.tenant_id,
        "invoice_id": subject.invoice_id,
        "invoice_version": subject.invoice_version,
        "trigger": subject.trigger,
        "batch_id": subject.batch_id,
        "batch_size": subject.batch_size,
        "number": subject.display.number,
        "customer_name": subject.display.customer_name,
        "amount": subject.display.amount,
        "currency": subject.display.currency,
    }


def _message(subject: ResultSubject, event: Any) -> OutboxMessage:
    return event_message(
        Topic.RESULTS.value, invoice_key(subject.tenant_id, subject.invoice_id), event
    )


def succeeded(
    subject: ResultSubject,
    operation: Operation,
    *,
    external_id: str,
    external_number: str | None,
    attempts: int,
) -> OutboxMessage:
    return _message(
        subject,
        InvoiceSyncSucceeded(
            **_common(subject),
            operation=operation,
            external_id=external_id,
            external_number=external_number,
            attempts=attempts,
        ),
    )


def failed(
    subject: ResultSubject,
    error: SyncError,
    *,
    operation: Operation = Operation.NONE,
    attempts: int,
    external_id: str | None = None,
    external_number: str | None = None,
) -> OutboxMessage:
    return _message(
        subject,
        InvoiceSyncFailed(
            **_common(subject),
            operation=operation,
            error=error,
            attempts=attempts,
            external_id=external_id,
            external_number=external_number,
        ),
    )


def skipped(subject: ResultSubject, error: SyncError, *, attempts: int = 0) -> OutboxMessage:
    return _message(
        subject,
        InvoiceSyncSkipped(
            **_common(subject), operation=Operation.NONE, error=error, attempts=attempts
        ),
    )
