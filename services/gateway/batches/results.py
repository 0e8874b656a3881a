"""Applying result events to a batch's invoice rows: exact under redelivery and reordering."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from services.gateway.batches.model import Counts, InvoiceStatus


@dataclass(frozen=True, slots=True)
class InvoiceResult:
    """One result event, reduced to what a batch row keeps."""

    invoice_id: str
    status: InvoiceStatus
    event_id: UUID
    occurred_at: datetime
    external_id: str | None = None
    external_number: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    error_retryable: bool | None = None
    number: str | None = None
    customer_name: str | None = None
    amount: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class StoredResult:
    """What a batch row holds now (status pending and no event: nothing received yet)."""

    status: InvoiceStatus
    event_id: UUID | None
    result_at: datetime | None


@dataclass(frozen=True, slots=True)
class InvoiceChange:
    seq: int
    previous: InvoiceStatus | None
    result: InvoiceResult
    counts: Counts


@dataclass(frozen=True, slots=True)
class Applied:
    changes: list[InvoiceChange]
    counts: Counts
    last_seq: int


def apply_results(
    stored: Mapping[str, StoredResult],
    incoming: Iterable[InvoiceResult],
    *,
    counts: Counts,
    last_seq: int,
) -> Applied:
    """Each invoice holds its newest result; counts move only when a row's status moves.

    A repeated event changes nothing, and an older result (by `occurred_at`) never
    replaces a newer one, so the same set of results gives the same counts in any order.
    """
    current = dict(stored)
    changes: list[InvoiceChange] = []
    for result in incoming:
        before = current.get(result.invoice_id)
        if before is not None and _supersedes(before, result):
            continue
        previous = before.status if before is not None else None
        counts = counts.moved(previous, result.status)
        last_seq += 1
        changes.append(InvoiceChange(last_seq, previous, result, counts))
        current[result.invoice_id] = StoredResult(
            result.status, result.event_id, result.occurred_at
        )
    return Applied(changes, counts, last_seq)


def _supersedes(before: StoredResult, result: InvoiceResult) -> bool:
    if before.event_id == result.event_id:
        return True
    return before.result_at is not None and before.result_at > result.occurred_at
