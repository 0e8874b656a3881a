"""Response bodies of the HTTP API (they shape the published OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel


class SyncErrorBody(BaseModel):
    code: str
    message: str
    retryable: bool
    details: dict[str, Any] = {}


class InvoiceSyncStatus(BaseModel):
    tenant_id: str
    invoice_id: str
    invoice_version: int | None
    external_id: str | None
    external_number: str | None
    last_result: str
    last_operation: str
    last_trigger: str
    last_batch_id: UUID | None
    last_error: SyncErrorBody | None
    last_result_at: datetime
    last_synced_at: datetime | None
