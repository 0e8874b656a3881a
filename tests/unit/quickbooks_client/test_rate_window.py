"""The in-memory sliding windows and what a new realm holder inherits (pure, no clock)."""

from __future__ import annotations

import pytest

from services.sync_worker.quickbooks.rate_window import (
    RateLimits,
    RealmWindow,
    Takeover,
    inherit,
)

LIMITS = RateLimits(per_second=10, per_minute=500, margin=0.05)


def _fill(window: RealmWindow, times: list[float]) -> None:
    for t in times:
        window.record(t)


def test_the_eleventh_request_waits_for_the_first_to_leave_the_second() -> None:
    window = RealmWindow(LIMITS)
    _fill(window, [i * 0.01 for i in range(10)])
    assert window.next_free(0.1) == pytest.approx(1.05)


def test_the_minute_window_binds_after_its_budget() -> None:
    window = RealmWindow(RateLimits(per_second=10, per_minute=3, margin=0.05))
    _fill(window, [0.0, 0.5, 1.0])
    assert window.next_free(2.0) == pytest.approx(60.05)
    assert window.next_free(61.0) == pytest.approx(61.0)  # the first has left the minute


def test_a_send_recorded_late_moves_the_next_slot_later() -> None:
    window = RealmWindow(RateLimits(per_second=1, per_minute=500, margin=0.0))
    window.record(1.0)
    window.correct(1.0, 1.3)  # its bytes left 0.3 s after it was let through
    assert window.next_free(1.5) == pytest.approx(2.3)
    window.correct(1.3, 1.1)  # never earlier
    assert window.next_free(1.5) == pytest.approx(2.3)


def test_a_throttle_blocks_the_realm() -> None:
    window = RealmWindow(LIMITS)
    window.block_until(5.0)
    assert window.next_free(1.0) == 5.0


def test_the_checkpoint_keeps_the_last_minute_only() -> None:
    window = RealmWindow(LIMITS)
    _fill(window, [0.0, 30.0, 70.0])
    assert window.ages(71.0) == pytest.approx([41.0, 1.0])


def test_a_clean_handover_continues_the_windows_exactly() -> None:
    # The previous holder sent 10 requests 0.5 s ago and released the realm.
    takeover = Takeover(history_ages=(0.5,) * 10, unrecorded=None)
    window = inherit(takeover, LIMITS, now=100.0)
    assert window.next_free(100.0) == pytest.approx(100.55)


def test_after_a_crash_the_unrecorded_gap_is_charged_at_the_lease_end() -> None:
    # Last checkpoint 9 s ago, dead holder's lease ended 1 s ago: up to 8 s unrecorded.
    takeover = Takeover(history_ages=(), unrecorded=(9.0, 1.0))
    window = inherit(takeover, LIMITS, now=100.0)
    assert window.next_free(100.0) == pytest.approx(100.05)  # 99.0 + 1 s + margin
    # 90 phantom sends fill the minute window up to 500 with the 410 room left after them.
    assert window.sent_since(0.0) == 10 * 9


def test_phantom_sends_never_exceed_the_minute_budget() -> None:
    limits = RateLimits(per_second=10, per_minute=50, margin=0.05)
    takeover = Takeover(history_ages=tuple(float(a) for a in range(10, 50)), unrecorded=(10, 2))
    window = inherit(takeover, limits, now=100.0)
    # 40 known (at 51..90) + 10 phantom (at 98) = the whole minute budget.
    assert window.sent_since(0.0) == 50
    assert window.next_free(100.0) == pytest.approx(51.0 + 60.05)


def test_an_old_crash_does_not_slow_the_new_holder() -> None:
    takeover = Takeover(history_ages=(), unrecorded=(200.0, 120.0))
    window = inherit(takeover, LIMITS, now=500.0)
    assert window.next_free(500.0) == 500.0


def test_a_429_widens_the_realms_spacing_up_to_a_ceiling() -> None:
    window = RealmWindow(RateLimits(per_second=1, per_minute=500, margin=0.05))
    window.record(0.0)
    assert window.next_free(0.0) == pytest.approx(1.05)
    window.widen()
    assert window.next_free(0.0) == pytest.approx(1.10)
    for _ in range(10):
        window.widen()
    assert window.next_free(0.0) == pytest.approx(1.30)


def test_a_batch_is_one_request_per_second_and_one_call_per_item_per_minute() -> None:
    window = RealmWindow(RateLimits(per_second=2, per_minute=40, margin=0.0))
    window.record(0.0)
    assert window.batch_room(0.0) == 40  # this request plus the 39 calls left
    window.charge_batch(0.0, 30)
    window.record(0.1)
    assert window.next_free(0.2) == pytest.approx(1.0)  # 2 requests in the second, not 31
    assert window.batch_room(0.1) == 10  # 40 - 31 recorded + this request itself
    window.charge_batch(0.1, 10)
    assert window.sent_since(0.0) == 40
    assert window.next_free(1.5) == pytest.approx(60.0)  # the minute's calls are spent


def test_batches_per_minute_are_limited() -> None:
    window = RealmWindow(RateLimits(per_second=10, per_minute=500, batches_per_minute=2))
    for at in (0.0, 1.0):
        window.record(at)
        window.charge_batch(at, 5)
    window.record(2.0)
    assert window.batch_room(2.0) == 1, "the third batch of the minute goes as a single call"
    assert window.batch_room(61.0) > 1


def test_a_batch_sent_late_moves_all_its_calls() -> None:
    window = RealmWindow(RateLimits(per_second=10, per_minute=10, margin=0.0))
    window.record(0.0)
    window.charge_batch(0.0, 10)
    window.correct(0.0, 0.5, items=10, batch=True)
    assert window.next_free(1.0) == pytest.approx(60.5)


def test_batch_calls_between_checkpoints_are_bounded() -> None:
    limits = RateLimits(per_second=10, per_minute=500, unrecorded_batch_calls=40)
    window = RealmWindow(limits)
    window.record(0.0)
    window.charge_batch(0.0, 30)
    window.record(0.1)
    assert window.batch_room(0.1) == 10, "30 + this request + 9 more = 40 unrecorded"
    window.checkpointed(0.2)
    window.record(0.3)
    assert window.batch_room(0.3) == 40


def test_after_a_crash_of_a_batching_holder_its_batch_calls_are_charged_too() -> None:
    limits = RateLimits(per_second=10, per_minute=500, items_per_request=30)
    window = inherit(Takeover(history_ages=(), unrecorded=(3.0, 1.0)), limits, now=100.0)
    assert window.sent_since(0.0) == 10 * 3 + 150
    full = inherit(Takeover((5.0,) * 400, unrecorded=(3.0, 1.0)), limits, now=100.0)
    assert full.sent_since(0.0) == 500, "never more than the minute's budget"


def test_a_backlog_is_spread_over_the_requests_left_in_the_second() -> None:
    window = RealmWindow(LIMITS)
    window.record(0.0)
    assert window.batch_size(0.0, 100, 30) == 10, "10 requests free: 10 batches of 10"
    _fill(window, [0.1 * i for i in range(1, 9)])
    assert window.batch_size(0.8, 100, 30) == 30, "the last request of the second: 30"
    assert window.batch_size(0.8, 1, 30) == 1
