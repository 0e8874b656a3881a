"""Bodies of the inbox, retry and batch-history API (they shape the OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal, Self
from uuid import UUID

from pydantic import BaseModel, Field, StrictBool, model_validator

from services.contract.common import UtcDatetime
from services.contract.push import MAX_BATCH_SIZE, InvoiceId
from services.gateway.batches.model import InvoiceStatus
from services.gateway.batches.schemas import BatchProgress, _Request

TriggerName = Literal["auto", "push"]


class InboxError(BaseModel):
    code: str
    message: str
    retryable: bool | None = None
    details: dict[str, Any] | None = None


class InboxItem(BaseModel):
    invoice_id: str
    status: InvoiceStatus
    trigger: TriggerName | str = Field(description="auto (two-way sync) or push.")
    operation: str | None
    invoice_version: int | None
    external_id: str | None
    external_number: str | None = Field(description='The "External Number" (DocNumber).')
    error: InboxError | None
    batch_id: UUID | None = Field(description="The push batch of this state (null: auto).")
    updated_at: UtcDatetime = Field(description="When this state happened.")


class InboxPage(BaseModel):
    items: list[InboxItem]
    next_cursor: str | None


class InboxFilterBody(_Request):
    status: InvoiceStatus = InvoiceStatus.FAILED
    code: str | None = Field(default=None, min_length=1, max_length=64)
    trigger: TriggerName | None = None
    updated_since: UtcDatetime | None = None


class InboxRetryRequest(_Request):
    invoice_ids: list[InvoiceId] | None = Field(
        default=None, min_length=1, max_length=MAX_BATCH_SIZE, description="These invoices."
    )
    filter: InboxFilterBody | None = Field(
        default=None, description="Or every invoice the inbox lists for this filter."
    )
    confirm_overwrite: StrictBool = False
    requested_by: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _one_selection(self) -> Self:
        if (self.invoice_ids is None) == (self.filter is None):
            raise ValueError("give exactly one of `invoice_ids` or `filter`")
        if self.invoice_ids is not None and len(set(self.invoice_ids)) != len(self.invoice_ids):
            raise ValueError("duplicate invoice ids")
        return self


class BatchHistoryPage(BaseModel):
    items: list[BatchProgress] = Field(description="Newest first.")
    next_cursor: str | None
