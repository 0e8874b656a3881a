"""Statuses, states and counts of a push batch (pure values, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class InvoiceStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


class BatchState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    COMPLETED_WITH_ERRORS = "completed_with_errors"


STATUS_BY_EVENT_TYPE: dict[str, InvoiceStatus] = {
    "invoice.sync.succeeded": InvoiceStatus.SUCCEEDED,
    "invoice.sync.failed": InvoiceStatus.FAILED,
    "invoice.sync.skipped": InvoiceStatus.SKIPPED,
}

OVERWRITE_WARNING = (
    "Sending will overwrite any existing QuickBooks data associated with these invoices."
)


@dataclass(frozen=True, slots=True)
class Counts:
    """Terminal results of a batch; `pending` follows from the batch's total."""

    succeeded: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def done(self) -> int:
        return self.succeeded + self.failed + self.skipped

    def pending(self, total: int | None) -> int | None:
        return None if total is None else max(total - self.done, 0)

    def moved(self, old: InvoiceStatus | None, new: InvoiceStatus) -> Counts:
        """Counts after one invoice went from `old` (None: never seen) to `new`."""
        result = self
        if old is not None and old is not InvoiceStatus.PENDING:
            result = replace(result, **{old.value: getattr(result, old.value) - 1})
        if new is not InvoiceStatus.PENDING:
            result = replace(result, **{new.value: getattr(result, new.value) + 1})
        return result


def batch_state(total: int | None, counts: Counts) -> BatchState:
    if total is not None and counts.done >= total:
        return BatchState.COMPLETED_WITH_ERRORS if counts.failed else BatchState.COMPLETED
    return BatchState.PENDING if counts.done == 0 else BatchState.RUNNING


def is_complete(total: int | None, counts: Counts) -> bool:
    return batch_state(total, counts) in (BatchState.COMPLETED, BatchState.COMPLETED_WITH_ERRORS)


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One stored push batch (a `push_batches` row)."""

    batch_id: UUID
    tenant_id: str
    origin: str
    request_seen: bool
    requested_by: str | None
    retry_of: UUID | None
    total: int | None
    succeeded: int
    failed: int
    skipped: int
    last_seq: int
    started_at: datetime
    updated_at: datetime
    first_result_at: datetime | None
    last_result_at: datetime | None
    completed_at: datetime | None

    @property
    def counts(self) -> Counts:
        return Counts(self.succeeded, self.failed, self.skipped)


# SQL condition per batch state (mirrors `batch_state`: complete rows have completed_at).
STATE_CONDITIONS: dict[BatchState, str] = {
    BatchState.PENDING: "completed_at IS NULL AND succeeded + failed + skipped = 0",
    BatchState.RUNNING: "completed_at IS NULL AND succeeded + failed + skipped > 0",
    BatchState.COMPLETED: "completed_at IS NOT NULL AND failed = 0",
    BatchState.COMPLETED_WITH_ERRORS: "completed_at IS NOT NULL AND failed > 0",
}
