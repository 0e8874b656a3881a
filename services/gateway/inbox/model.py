"""Inbox entries and filters (pure values)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.gateway.batches.model import InvoiceStatus


@dataclass(frozen=True, slots=True)
class InboxFilter:
    status: InvoiceStatus | None = None
    code: str | None = None
    trigger: str | None = None
    updated_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class InboxEntry:
    tenant_id: str
    invoice_id: str
    status: InvoiceStatus
    trigger: str
    operation: str | None
    invoice_version: int | None
    external_id: str | None
    external_number: str | None
    error: dict[str, Any] | None
    batch_id: UUID | None
    state_at: datetime
