"""An invoice's latest sync result, as the External Number column shows it (pure value)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class InvoiceSyncState:
    """One `invoice_sync_status` row; `last_error` is the result's error, parsed."""

    tenant_id: str
    invoice_id: str
    invoice_version: int | None
    external_id: str | None
    external_number: str | None
    last_event_id: UUID
    last_event_type: str
    last_operation: str
    last_trigger: str
    last_batch_id: UUID | None
    last_error: dict[str, Any] | None
    last_result_at: datetime
    last_synced_at: datetime | None
