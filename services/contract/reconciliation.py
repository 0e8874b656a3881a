"""Reconciliation: prove, invoice by invoice, that MediaOS and QuickBooks agree.

`sync.reconciliation-requests.v1` carries `reconciliation.requested` (gateway -> worker);
`sync.reconciliations.v1` carries the worker's `reconciliation.progressed` (progress, and the
findings in chunks) and one final `reconciliation.completed` per run.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from services.contract.common import ContractModel, EventEnvelope, Money, Text, UtcDatetime
from services.contract.settings import ConflictPolicy

MAX_FINDINGS_PER_EVENT = 500


class ReconciliationCategory(StrEnum):
    IN_SYNC = "in_sync"
    MISSING_IN_QUICKBOOKS = "missing_in_quickbooks"
    DIFFERENT = "different"
    ONLY_IN_QUICKBOOKS = "only_in_quickbooks"
    NOT_SENDABLE = "not_sendable"


class ReconciliationTrigger(StrEnum):
    ON_DEMAND = "on_demand"
    NIGHTLY = "nightly"


class ReconciliationPhase(StrEnum):
    QUEUED = "queued"
    READING_QUICKBOOKS = "reading_quickbooks"
    COMPARING = "comparing"
    REPORTING = "reporting"


class ReconciliationRequested(EventEnvelope):
    event_type: Literal["reconciliation.requested"] = "reconciliation.requested"
    reconciliation_id: UUID
    requested_by: Text = Field(min_length=1, max_length=200)
    trigger: ReconciliationTrigger = ReconciliationTrigger.ON_DEMAND


class FieldDifference(ContractModel):
    field: Text = Field(description="number, customer, lines, total, issue_date, due_date, ...")
    mediaos: Text | None = Field(description="What MediaOS has (text form).")
    quickbooks: Text | None = Field(description="What QuickBooks has (text form).")


class ReconciliationFinding(ContractModel):
    category: ReconciliationCategory
    invoice_id: Text | None = Field(
        description="MediaOS invoice id; null for a QuickBooks invoice MediaOS never had."
    )
    number: Text | None = Field(default=None, description="MediaOS invoice number.")
    external_id: Text | None = Field(default=None, description="QuickBooks invoice Id.")
    external_number: Text | None = Field(default=None, description="QuickBooks DocNumber.")
    mediaos_total: Money | None = None
    quickbooks_total: Money | None = None
    differences: list[FieldDifference] = Field(default_factory=list)
    edited_in_quickbooks: bool | None = Field(
        default=None,
        description="True when QuickBooks changed the invoice after our last write "
        "(its SyncToken is not the one our write produced).",
    )
    reason: Text | None = Field(
        default=None,
        description="Why: never_sent, deleted_in_quickbooks, deleted_in_mediaos, "
        "not_in_mediaos, an error code (PRODUCT_NOT_MAPPED, NOT_CONNECTED, ...).",
    )
    detail: Text | None = Field(default=None, description="A sentence for people.")


class ReconciliationProgressed(EventEnvelope):
    event_type: Literal["reconciliation.progressed"] = "reconciliation.progressed"
    reconciliation_id: UUID
    phase: ReconciliationPhase
    invoices_checked: int = Field(ge=0)
    invoices_total: int = Field(ge=0)
    quickbooks_calls: int = Field(ge=0)
    chunk: int | None = Field(
        default=None, ge=1, description="Numbered 1.. when `findings` are carried."
    )
    findings: list[ReconciliationFinding] = Field(
        default_factory=list, max_length=MAX_FINDINGS_PER_EVENT
    )


class CategoryTotals(ContractModel):
    count: int = Field(ge=0)
    mediaos_amount: Money = Field(description="Sum of MediaOS totals in this category.")
    quickbooks_amount: Money = Field(description="Sum of QuickBooks totals in this category.")


class ReconciliationCompleted(EventEnvelope):
    event_type: Literal["reconciliation.completed"] = "reconciliation.completed"
    reconciliation_id: UUID
    state: Literal["completed", "failed"]
    realm_id: Text | None = Field(default=None, description="The QuickBooks company compared.")
    conflict_policy: ConflictPolicy
    invoices_total: int = Field(ge=0)
    categories: dict[ReconciliationCategory, CategoryTotals]
    totals: CategoryTotals = Field(description="All categories together.")
    quickbooks_calls: int = Field(ge=0)
    finding_chunks: int = Field(ge=0, description="How many progressed events carried rows.")
    started_at: UtcDatetime
    error: Text | None = None


ReconciliationEvent = Annotated[
    ReconciliationProgressed | ReconciliationCompleted, Field(discriminator="event_type")
]
