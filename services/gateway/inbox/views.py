"""Inbox entries as API bodies (pure)."""

from __future__ import annotations

from services.gateway.inbox.model import InboxEntry
from services.gateway.inbox.schemas import InboxError, InboxItem


def inbox_item(entry: InboxEntry) -> InboxItem:
    error = None
    if entry.error:
        error = InboxError(
            code=entry.error.get("code", ""),
            message=entry.error.get("message", ""),
            retryable=entry.error.get("retryable"),
            details=entry.error.get("details") or None,
        )
    return InboxItem(
        invoice_id=entry.invoice_id,
        status=entry.status,
        trigger=entry.trigger,
        operation=entry.operation,
        invoice_version=entry.invoice_version,
        external_id=entry.external_id,
        external_number=entry.external_number,
        error=error,
        batch_id=entry.batch_id,
        updated_at=entry.state_at,
    )
