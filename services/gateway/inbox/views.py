"""Inbox entries as API bodies (pure)."""

from __future__ import annotations

from dataclasses import asdict

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
    # The other fields are the entry's of the same names.
    return InboxItem.model_validate({**asdict(entry), "error": error, "updated_at": entry.state_at})
