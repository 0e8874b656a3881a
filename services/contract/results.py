"""`sync.results.v1`: one terminal result per unit of work (automatic sync or push)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from services.contract.common import ContractModel, EventEnvelope, Money, Text
from services.contract.errors import ErrorCode


class Trigger(StrEnum):
    AUTO = "auto"
    PUSH = "push"


class Operation(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    VOID = "void"
    DELETE = "delete"
    NONE = "none"


class SyncError(ContractModel):
    code: ErrorCode
    message: Text = Field(description="What happened and what to do about it.")
    retryable: bool
    details: dict[str, Any] = Field(default_factory=dict)


class _SyncResult(EventEnvelope):
    invoice_id: Text
    invoice_version: int | None = Field(
        default=None, description="The MediaOS version this result is about; null if unknown."
    )
    batch_id: UUID | None = Field(default=None, description="Null for automatic sync.")
    batch_size: int | None = Field(default=None, ge=1)
    trigger: Trigger
    operation: Operation
    external_id: Text | None = Field(default=None, description="QuickBooks invoice Id.")
    external_number: Text | None = Field(
        default=None, description='QuickBooks DocNumber: the "External Number" users see.'
    )
    error: SyncError | None = None
    attempts: int = Field(default=1, ge=0)
    number: Text | None = Field(
        default=None, max_length=21, description="MediaOS invoice number; null if unknown."
    )
    customer_name: Text | None = Field(
        default=None, max_length=500, description="The invoice's customer; null if unknown."
    )
    amount: Money | None = Field(default=None, description="Invoice total; null if unknown.")
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class InvoiceSyncSucceeded(_SyncResult):
    event_type: Literal["invoice.sync.succeeded"] = "invoice.sync.succeeded"


class InvoiceSyncFailed(_SyncResult):
    event_type: Literal["invoice.sync.failed"] = "invoice.sync.failed"


class InvoiceSyncSkipped(_SyncResult):
    event_type: Literal["invoice.sync.skipped"] = "invoice.sync.skipped"


SyncResult = Annotated[
    InvoiceSyncSucceeded | InvoiceSyncFailed | InvoiceSyncSkipped,
    Field(discriminator="event_type"),
]
