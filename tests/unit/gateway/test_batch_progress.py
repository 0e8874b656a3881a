"""Counts, states, ETA and result application (pure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from services.gateway.batches.eta import estimate_finish, seconds_until
from services.gateway.batches.model import (
    BatchRow,
    BatchState,
    Counts,
    InvoiceStatus,
    batch_state,
)
from services.gateway.batches.results import InvoiceResult, StoredResult, apply_results
from services.gateway.batches.views import progress_body

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
S, F, K, P = (
    InvoiceStatus.SUCCEEDED,
    InvoiceStatus.FAILED,
    InvoiceStatus.SKIPPED,
    InvoiceStatus.PENDING,
)


def _result(invoice_id: str, status: InvoiceStatus, seconds: int = 0) -> InvoiceResult:
    return InvoiceResult(invoice_id, status, uuid.uuid4(), T0 + timedelta(seconds=seconds))


def test_counts_move_between_statuses() -> None:
    counts = Counts().moved(None, S).moved(P, F).moved(P, K)
    assert counts == Counts(1, 1, 1)
    assert counts.moved(F, S) == Counts(2, 0, 1)
    assert counts.done == 3
    assert counts.pending(5) == 2 and counts.pending(None) is None


def test_state_follows_counts_and_total() -> None:
    assert batch_state(3, Counts()) is BatchState.PENDING
    assert batch_state(3, Counts(1, 0, 0)) is BatchState.RUNNING
    assert batch_state(3, Counts(2, 0, 1)) is BatchState.COMPLETED
    assert batch_state(3, Counts(1, 1, 1)) is BatchState.COMPLETED_WITH_ERRORS
    assert batch_state(None, Counts(5, 0, 0)) is BatchState.RUNNING


def test_eta_uses_the_rate_between_first_and_last_result() -> None:
    finish = estimate_finish(
        total=10,
        done=5,
        started_at=T0 - timedelta(minutes=5),  # queued for a while: not part of the rate
        first_result_at=T0,
        last_result_at=T0 + timedelta(seconds=8),  # 4 more results in 8 s: 0.5/s
    )
    assert finish == T0 + timedelta(seconds=18)
    assert seconds_until(finish, T0 + timedelta(seconds=9)) == 9.0
    assert seconds_until(finish, T0 + timedelta(seconds=60)) == 0.0


def test_eta_with_one_result_uses_the_start_and_is_absent_when_unknowable() -> None:
    one = estimate_finish(
        total=4,
        done=1,
        started_at=T0,
        first_result_at=T0 + timedelta(seconds=2),
        last_result_at=T0 + timedelta(seconds=2),
    )
    assert one == T0 + timedelta(seconds=8)
    assert (
        estimate_finish(total=4, done=0, started_at=T0, first_result_at=None, last_result_at=None)
        is None
    )
    assert (
        estimate_finish(total=4, done=4, started_at=T0, first_result_at=T0, last_result_at=T0)
        is None
    )
    assert seconds_until(None, T0) is None


def test_results_apply_once_and_the_newest_wins_in_any_order() -> None:
    first = _result("a", F, seconds=1)
    newer = _result("a", S, seconds=5)
    applied = apply_results(
        {"a": StoredResult(P, None, None), "b": StoredResult(P, None, None)},
        [first, first, newer, first, _result("b", K, seconds=2)],
        counts=Counts(),
        last_seq=10,
    )
    assert [c.seq for c in applied.changes] == [11, 12, 13]
    assert [(c.result.invoice_id, c.previous, c.result.status) for c in applied.changes] == [
        ("a", P, F),
        ("a", F, S),
        ("b", P, K),
    ]
    assert applied.counts == Counts(1, 0, 1) and applied.last_seq == 13
    assert applied.changes[0].counts == Counts(0, 1, 0)

    reordered = apply_results(
        {"a": StoredResult(P, None, None)}, [newer, first], counts=Counts(), last_seq=0
    )
    assert reordered.counts == Counts(1, 0, 0) and len(reordered.changes) == 1


def test_a_stored_result_is_not_applied_again() -> None:
    seen = _result("a", S)
    applied = apply_results(
        {"a": StoredResult(S, seen.event_id, seen.occurred_at)},
        [seen],
        counts=Counts(1, 0, 0),
        last_seq=1,
    )
    assert applied.changes == [] and applied.counts == Counts(1, 0, 0) and applied.last_seq == 1


def test_a_result_for_an_invoice_not_yet_listed_is_counted() -> None:
    applied = apply_results({}, [_result("early", S)], counts=Counts(), last_seq=0)
    assert applied.counts == Counts(1, 0, 0)
    assert applied.changes[0].previous is None


def test_progress_body_from_a_row() -> None:
    row = BatchRow(
        batch_id=uuid.uuid4(),
        tenant_id="acme",
        origin="api",
        request_seen=True,
        requested_by="operator",
        retry_of=None,
        total=4,
        succeeded=1,
        failed=1,
        skipped=0,
        last_seq=2,
        started_at=T0,
        updated_at=T0 + timedelta(seconds=4),
        first_result_at=T0 + timedelta(seconds=2),
        last_result_at=T0 + timedelta(seconds=4),
        completed_at=None,
    )
    body = progress_body(row, T0 + timedelta(seconds=4))
    assert body.state is BatchState.RUNNING
    assert body.percent == 50.0
    assert body.counts.pending == 2
    assert body.eta_seconds == 4.0  # one more result per 2 s, two to go
    assert body.model_dump(mode="json")["started_at"] == "2026-11-20T10:00:00Z"
