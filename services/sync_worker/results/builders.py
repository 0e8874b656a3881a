from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.contract.errors import ERROR_CATALOG, ErrorCode
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
class ResultSubject:
    """Which unit of work a result is about."""

    tenant_id: str
    invoice_id: str
    invoice_version: int | None
    trigger: Trigger
    batch_id: UUID | None = None
    batch_size: int | None = None


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
