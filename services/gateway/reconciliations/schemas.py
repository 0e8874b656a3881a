"""Bodies of the reconciliation API (they shape the OpenAPI document)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from services.contract.common import UtcDatetime
from services.contract.reconciliation import (
    CategoryTotals,
    FieldDifference,
    ReconciliationCategory,
)
from services.gateway.batches.schemas import PushAccepted

REPAIRABLE = (ReconciliationCategory.MISSING_IN_QUICKBOOKS, ReconciliationCategory.DIFFERENT)


class ReconciliationLinks(BaseModel):
    status: str
    differences: str
    csv: str
    repair: str


class ReconciliationAccepted(BaseModel):
    id: UUID
    tenant_id: str
    state: Literal["queued"] = "queued"
    links: ReconciliationLinks


class ReconciliationRun(BaseModel):
    id: UUID
    tenant_id: str
    state: Literal["queued", "running", "completed", "failed"]
    phase: str
    trigger: str
    requested_by: str
    progress: float = Field(description="0..1: share of invoices compared.")
    invoices_checked: int
    invoices_total: int | None
    quickbooks_calls: int
    realm_id: str | None
    conflict_policy: str | None
    counts: dict[ReconciliationCategory, CategoryTotals] | None = Field(
        description="Count and amounts per category (null until completed)."
    )
    totals: CategoryTotals | None = Field(description="All categories together.")
    error: str | None
    requested_at: UtcDatetime
    started_at: UtcDatetime | None
    finished_at: UtcDatetime | None
    links: ReconciliationLinks


class Difference(BaseModel):
    category: ReconciliationCategory
    invoice_id: str | None
    number: str | None
    external_id: str | None
    external_number: str | None
    mediaos_total: str | None
    quickbooks_total: str | None
    differences: list[FieldDifference]
    edited_in_quickbooks: bool | None
    reason: str | None
    detail: str | None


class DifferencePage(BaseModel):
    items: list[Difference]
    next_cursor: str | None


class StartRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    requested_by: str | None = Field(default=None, min_length=1, max_length=200)


class RepairRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    categories: list[Literal["missing_in_quickbooks", "different"]] = Field(
        min_length=1, description="Which findings to push again."
    )
    confirm_overwrite: StrictBool = False
    requested_by: str | None = Field(default=None, min_length=1, max_length=200)


class RepairAccepted(BaseModel):
    reconciliation_id: UUID
    invoices: int = Field(description="Invoices in the push batch.")
    batch: PushAccepted | None = Field(description="Null when there was nothing to push.")
    conflict_policy: str
    kept_by_conflict_policy: list[str] = Field(
        description="`different` invoices edited in QuickBooks that the policy keeps as they are."
    )
    note: str


class NightlySetting(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nightly: StrictBool
