"""A realm's sliding request windows, kept in memory by the replica that holds the realm.

Pure and clock-free: every method takes `now` (monotonic seconds). QuickBooks allows
`per_second` requests in any sliding second and `per_minute` in any sliding minute per
company; `next_free` gives the earliest instant a request keeps both (plus `margin`, which
only has to cover the gap between the moment a send is recorded and the moment its bytes
reach QuickBooks, because sends are re-recorded at wire time by `correct`).
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

    def __post_init__(self) -> None:
        if self.per_second < 1 or self.per_minute < 1:
            raise ValueError("rate limits must be at least 1")


class RealmWindow:
    def __init__(self, limits: RateLimits, sends: Iterable[float] = ()) -> None:
        self.limits = limits
        self.margin = limits.margin
        self._sends: list[float] = sorted(sends)  # ascending
        self._blocked_until = -math.inf

    def next_free(self, now: float) -> float:
        """The earliest instant >= now at which one more request keeps both windows."""
        self._trim(now)
        sends, limits = self._sends, self.limits
        slot = max(now, self._blocked_until)
        if len(sends) >= limits.per_second:
            slot = max(slot, sends[-limits.per_second] + _SECOND + self.margin)
        if len(sends) >= limits.per_minute:
            slot = max(slot, sends[-limits.per_minute] + _MINUTE + self.margin)
        return slot

    def record(self, at: float) -> None:
        bisect.insort(self._sends, at)

    def correct(self, recorded: float, actual: float) -> None:
        """A send recorded at `recorded` left at `actual`; records only ever move later."""
        if actual <= recorded:
            return
        index = bisect.bisect_left(self._sends, recorded)
        if index < len(self._sends) and self._sends[index] == recorded:
            del self._sends[index]
            bisect.insort(self._sends, actual)

    def block_until(self, at: float) -> None:
        """QuickBooks answered 429: send nothing to this realm before `at`."""
        self._blocked_until = max(self._blocked_until, at)

    def widen(self, *, step: float = 0.05, most: float = 0.3) -> None:
        """QuickBooks counted more than we sent in a window: its clock sees our sends closer
        together than we do (network or server jitter). Space this realm's sends wider."""
        self.margin = min(self.margin + step, max(most, self.margin))

    def ages(self, now: float) -> list[float]:
        """Seconds since each send of the last minute (newest last): the checkpoint."""
        self._trim(now)
        return [now - t for t in self._sends]

    def sent_since(self, since: float) -> int:
        return len(self._sends) - bisect.bisect_left(self._sends, since)

    def _trim(self, now: float) -> None:
        keep_after = now - _MINUTE - self.margin - _SECOND
        cut = bisect.bisect_left(self._sends, keep_after)
        cap = max(self.limits.per_second, self.limits.per_minute)
        cut = max(cut, len(self._sends) - cap)
        if cut > 0:
            del self._sends[:cut]


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
    allowed in it, all at the end of its lease, the worst instant for both windows."""
    sends = [now - age for age in takeover.history_ages]
    window = RealmWindow(limits, sends)
    if takeover.unrecorded is None:
        return window
    checkpoint_age, lease_end_age = takeover.unrecorded
    gap = max(checkpoint_age - lease_end_age, 0.0)
    lease_end = now - lease_end_age
    known = window.sent_since(lease_end - _MINUTE)
    phantom = min(limits.per_second * math.ceil(gap + _SECOND), limits.per_minute - known)
    for _ in range(max(phantom, 0)):
        window.record(lease_end)
    return window
