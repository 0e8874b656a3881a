"""Turning stored rows into API bodies (pure: rows in, models out)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.gateway.batches.eta import estimate_finish, seconds_until
from services.gateway.batches.model import BatchRow, Counts, batch_state
from services.gateway.batches.schemas import (
    BatchCounts,
    BatchInvoice,
    BatchProgress,
    InvoiceError,
)


def counts_body(total: int | None, counts: Counts) -> BatchCounts:
    return BatchCounts(
        total=total,
        succeeded=counts.succeeded,
        failed=counts.failed,
        skipped=counts.skipped,
        pending=counts.pending(total),
    )


def percent(total: int | None, counts: Counts) -> float:
    if not total:
        return 0.0
    return round(min(counts.done / total, 1.0) * 100, 1)


def progress_body(row: BatchRow, now: datetime) -> BatchProgress:
    counts, total = row.counts, row.total
    finish = estimate_finish(
        total=total,
        done=counts.done,
        started_at=row.started_at,
        first_result_at=row.first_result_at,
        last_result_at=row.last_result_at,
    )
    return BatchProgress(
        batch_id=row.batch_id,
        tenant_id=row.tenant_id,
        state=batch_state(total, counts),
        counts=counts_body(total, counts),
        percent=percent(total, counts),
        origin=row.origin,
        requested_by=row.requested_by,
        retry_of=row.retry_of,
        started_at=row.started_at,
        updated_at=row.updated_at,
        completed_at=row.completed_at,
        eta_seconds=seconds_until(finish, now),
        eta_at=finish,
        last_event_id=row.last_seq,
    )


def invoice_body(row: Mapping[str, Any]) -> BatchInvoice:
    error = None
    if row["error_code"] is not None:
        error = InvoiceError(
            code=row["error_code"],
            message=row["error_message"] or "",
            retryable=row["error_retryable"],
        )
    # The other fields are columns of the same names.
    return BatchInvoice.model_validate({**row, "error": error})
