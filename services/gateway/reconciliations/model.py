"""A reconciliation run and its findings as the gateway stores them (pure values)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Run:
    """One `reconciliations` row; `categories` and `totals` are the completed report's,
    parsed (None until the run completes)."""

    reconciliation_id: UUID
    tenant_id: str
    requested_by: str
    trigger: str
    state: str
    phase: str
    invoices_checked: int
    invoices_total: int | None
    quickbooks_calls: int
    realm_id: str | None
    conflict_policy: str | None
    categories: dict[str, Any] | None
    totals: dict[str, Any] | None
    error: str | None
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime

    @property
    def done(self) -> bool:
        return self.state in ("completed", "failed")


@dataclass(frozen=True, slots=True)
class StoredFinding:
    """One invoice compared by a run (a `reconciliation_findings` row); `differences` parsed."""

    reconciliation_id: UUID
    position: int
    category: str
    invoice_id: str | None
    number: str | None
    external_id: str | None
    external_number: str | None
    mediaos_total: Decimal | None
    quickbooks_total: Decimal | None
    differences: list[dict[str, Any]]
    edited_in_quickbooks: bool | None
    reason: str | None
    detail: str | None
