"""Bodies of the batch API and of its server-sent events (they shape the OpenAPI document)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from services.contract.common import Money, Text, UtcDatetime
from services.contract.push import MAX_BATCH_SIZE, UniqueInvoiceIds
from services.gateway.batches.model import BatchState, InvoiceStatus


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PushBatchRequest(_Request):
    invoice_ids: UniqueInvoiceIds = Field(
        min_length=1,
        max_length=MAX_BATCH_SIZE,
        description=f"MediaOS invoice ids, 1..{MAX_BATCH_SIZE}, no duplicates.",
        json_schema_extra={"uniqueItems": True},
    )
    confirm_overwrite: StrictBool = Field(
        default=False,
        description="Must be true: sending overwrites the invoices' existing QuickBooks data.",
    )
    dry_run: StrictBool = Field(
        default=False, description="Only report what the gateway knows; send nothing."
    )
    requested_by: Text | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Who asked (e.g. a MediaOS user); defaults to the calling token.",
    )


class RetryFailedRequest(_Request):
    confirm_overwrite: StrictBool = False
    requested_by: Text | None = Field(default=None, min_length=1, max_length=200)


class BatchCounts(BaseModel):
    total: int | None = Field(description="Null only while neither request nor size is known.")
    succeeded: int
    failed: int
    skipped: int
    pending: int | None


class BatchProgress(BaseModel):
    batch_id: UUID
    tenant_id: str
    state: BatchState
    counts: BatchCounts
    percent: float = Field(description="Share of invoices with a result, 0..100.")
    origin: str = Field(description="api, kafka (MediaOS core) or result (seen first).")
    requested_by: str | None
    retry_of: UUID | None
    started_at: UtcDatetime
    updated_at: UtcDatetime
    completed_at: UtcDatetime | None
    eta_seconds: float | None = Field(description="While running: from the result rate.")
    eta_at: UtcDatetime | None
    last_event_id: int = Field(description="Sequence of the batch's latest change (SSE id).")


class BatchLinks(BaseModel):
    status: str
    invoices: str
    events: str
    page: str = Field(description="Progress window; carries a short-lived page token.")


class PushAccepted(BaseModel):
    batch_id: UUID
    tenant_id: str
    total: int
    state: BatchState
    retry_of: UUID | None = None
    links: BatchLinks


class InvoiceError(BaseModel):
    code: str
    message: str
    retryable: bool | None


class BatchInvoice(BaseModel):
    invoice_id: str
    status: InvoiceStatus
    external_id: str | None
    external_number: str | None = Field(description='The "External Number" (DocNumber).')
    number: str | None = Field(default=None, description="MediaOS invoice number, once known.")
    customer_name: str | None = Field(default=None, description="The invoice's customer.")
    amount: Money | None = Field(default=None, description="Invoice total, once known.")
    currency: str | None = None
    error: InvoiceError | None
    result_at: UtcDatetime | None
    seq: int = Field(description="Change sequence that last touched this row (0: none).")


class BatchInvoicePage(BaseModel):
    items: list[BatchInvoice]
    next_cursor: str | None


class InvoiceChangeEvent(BaseModel):
    """Data of an SSE `invoice` event; `counts` and `state` are as of this change."""

    batch_id: UUID
    seq: int
    previous_status: InvoiceStatus | None
    invoice: BatchInvoice
    state: BatchState
    counts: BatchCounts
    percent: float


class ProgressChangeEvent(BaseModel):
    """Data of an SSE `progress` event (the batch's total became known or changed)."""

    batch_id: UUID
    seq: int
    state: BatchState
    counts: BatchCounts
    percent: float


class PageToken(BaseModel):
    token: str
    expires_at: UtcDatetime
    page: str


class DryRunFinding(BaseModel):
    invoice_id: str
    kind: str = Field(
        description="in_running_batch, product_not_mapped, duplicate_number, "
        "invoice_unknown (likely to fail) or will_overwrite (information)."
    )
    blocking: bool
    message: str
    batch_id: UUID | None = None
    external_number: str | None = None
    details: dict[str, object] | None = None


class DryRunReport(BaseModel):
    dry_run: bool = True
    tenant_id: str
    invoice_count: int
    warning: str
    ready: bool = Field(description="No finding suggests the push would fail.")
    findings: list[DryRunFinding]
    summary: dict[str, int]
    limitations: str
