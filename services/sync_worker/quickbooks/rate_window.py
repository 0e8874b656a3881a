"""A realm's sliding request windows, kept in memory by the replica that holds the realm.

Pure and clock-free: every method takes `now` (monotonic seconds). QuickBooks allows
`per_second` requests in any sliding second and `per_minute` calls in any sliding minute per
company; a `/batch` request is one request but one call per item, and at most
`batches_per_minute` of them go in any minute. `next_free` gives the earliest instant a
request keeps every window (plus `margin`, which only has to cover the gap between the
moment a send is recorded and the moment its bytes reach QuickBooks, because sends are
re-recorded at wire time by `correct`).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass

_SECOND = 1.0
_MINUTE = 60.0


@dataclass(frozen=True, slots=True)
class RateLimits:
    per_second: int
    per_minute: int
    margin: float = 0.05
    batches_per_minute: int = 40
    # Most items one request can carry (1 = no batches).
    items_per_request: int = 1
    # Batch items sent since the last checkpoint stay under this, so that a crashed holder's
    # unrecorded gap (what its heir must charge) is bounded by it plus the per-second pace,
    # not by a whole minute of 30-item batches.
    unrecorded_batch_calls: int = 150

    def __post_init__(self) -> None:
        if min(self.per_second, self.per_minute, self.batches_per_minute) < 1:
            raise ValueError("rate limits must be at least 1")
        if self.items_per_request < 1:
            raise ValueError("a request carries at least one item")


def _move(times: list[float], recorded: float, actual: float, count: int) -> None:
    for _ in range(count):
        index = bisect.bisect_left(times, recorded)
        if index >= len(times) or times[index] != recorded:
            return
        del times[index]
        bisect.insort(times, actual)


def _cut(times: list[float], keep_after: float, cap: int) -> None:
    cut = max(bisect.bisect_left(times, keep_after), len(times) - cap)
    if cut > 0:
        del times[:cut]


class RealmWindow:
    def __init__(self, limits: RateLimits, sends: Iterable[float] = ()) -> None:
        """`sends`: inherited minute charges; unknown which were requests or batches, each
        counts as both (the safe side)."""
        self.limits = limits
        self.margin = limits.margin
        self._calls: list[float] = sorted(sends)  # minute charges: requests and batch items
        self._requests: list[float] = list(self._calls)  # per-second: HTTP requests
        self._batches: list[float] = list(self._calls)  # `/batch` requests
        self._blocked_until = -math.inf
        self._checkpointed = -math.inf  # calls recorded up to here are in the database

    def next_free(self, now: float) -> float:
        """The earliest instant >= now at which one more request keeps both windows."""
        self._trim(now)
        limits = self.limits
        slot = max(now, self._blocked_until)
        if len(self._requests) >= limits.per_second:
            slot = max(slot, self._requests[-limits.per_second] + _SECOND + self.margin)
        if len(self._calls) >= limits.per_minute:
            slot = max(slot, self._calls[-limits.per_minute] + _MINUTE + self.margin)
        return slot

    def record(self, at: float) -> None:
        bisect.insort(self._requests, at)
        bisect.insort(self._calls, at)

    def batch_room(self, now: float) -> int:
        """Items a `/batch` recorded at `now` (already counted as one call) may carry: 1 when
        the minute's batch budget is spent."""
        self._trim(now)
        limits = self.limits
        if self._in_last_minute(self._batches, now) >= limits.batches_per_minute:
            return 1
        minute = limits.per_minute - self._in_last_minute(self._calls, now)
        unrecorded = len(self._calls) - bisect.bisect_right(self._calls, self._checkpointed)
        return max(min(minute, limits.unrecorded_batch_calls - unrecorded) + 1, 1)

    def batch_size(self, now: float, waiting: int, most: int) -> int:
        """How many of `waiting` creates the request recorded at `now` carries. QuickBooks
        runs a batch's items one after another, so the backlog is spread over the requests
        the current second still allows (100 waiting, 10 free: 10 batches of 10, not 4 of
        30), within `most` and `batch_room`."""
        if waiting <= 1:
            return 1
        self._trim(now)
        in_second = len(self._requests) - bisect.bisect_right(
            self._requests, now - _SECOND - self.margin
        )
        free = max(self.limits.per_second - in_second + 1, 1)  # this request included
        spread = math.ceil(waiting / free)
        return max(min(waiting, most, spread, self.batch_room(now)), 1)

    def checkpointed(self, at: float) -> None:
        """The history up to `at` is stored with the realm's lease (a renewal succeeded)."""
        self._checkpointed = max(self._checkpointed, at)

    def charge_batch(self, at: float, items: int) -> None:
        """The request recorded at `at` is a `/batch` of `items` calls."""
        bisect.insort(self._batches, at)
        for _ in range(items - 1):
            bisect.insort(self._calls, at)

    def correct(
        self, recorded: float, actual: float, *, items: int = 1, batch: bool = False
    ) -> None:
        """A send recorded at `recorded` left at `actual`; records only ever move later."""
        if actual <= recorded:
            return
        _move(self._requests, recorded, actual, 1)
        _move(self._calls, recorded, actual, items)
        if batch:
            _move(self._batches, recorded, actual, 1)

    def block_until(self, at: float) -> None:
        """QuickBooks answered 429: send nothing to this realm before `at`."""
        self._blocked_until = max(self._blocked_until, at)

    def widen(self, *, step: float = 0.05, most: float = 0.3) -> None:
        """QuickBooks counted more than we sent in a window: its clock sees our sends closer
        together than we do (network or server jitter). Space this realm's sends wider."""
        self.margin = min(self.margin + step, max(most, self.margin))

    def ages(self, now: float) -> list[float]:
        """Seconds since each call of the last minute (newest last): the checkpoint."""
        self._trim(now)
        return [now - t for t in self._calls]

    def sent_since(self, since: float) -> int:
        return len(self._calls) - bisect.bisect_left(self._calls, since)

    def _in_last_minute(self, times: list[float], now: float) -> int:
        return len(times) - bisect.bisect_right(times, now - _MINUTE - self.margin)

    def _trim(self, now: float) -> None:
        keep_after = now - _MINUTE - self.margin - _SECOND
        limits = self.limits
        _cut(self._calls, keep_after, max(limits.per_second, limits.per_minute))
        _cut(self._requests, keep_after, max(limits.per_second, limits.per_minute))
        _cut(self._batches, keep_after, limits.batches_per_minute)


@dataclass(frozen=True, slots=True)
class Takeover:
    """What a new holder learns when it acquires a realm's lease (all ages on the DB clock,
    in seconds before the acquiring statement ran).

    `history_ages`: the previous holders' recorded sends. `unrecorded`: None after a clean
    release; after a crash, (age of the last checkpoint, age of the dead holder's lease end):
    it may have sent without recording anything in between."""

    history_ages: tuple[float, ...]
    unrecorded: tuple[float, float] | None


def inherit(takeover: Takeover, limits: RateLimits, now: float) -> RealmWindow:
    """The window a new holder starts with. Ages are converted at `now` (local time after the
    statement answered, so every send lands no earlier than it happened: the safe side).
    A crashed holder's unrecorded gap is charged as the most sends the windows could have
    allowed in it, all at the end of its lease, the worst instant for both windows (with
    batches on, plus the batch calls a holder may send between checkpoints)."""
    sends = [now - age for age in takeover.history_ages]
    window = RealmWindow(limits, sends)
    if takeover.unrecorded is None:
        return window
    checkpoint_age, lease_end_age = takeover.unrecorded
    gap = max(checkpoint_age - lease_end_age, 0.0)
    lease_end = now - lease_end_age
    known = window.sent_since(lease_end - _MINUTE)
    phantom = limits.per_second * math.ceil(gap + _SECOND)
    if limits.items_per_request > 1:
        phantom += limits.unrecorded_batch_calls
    phantom = min(phantom, limits.per_minute - known)
    for _ in range(max(phantom, 0)):
        window.record(lease_end)
    return window
