"""Sliding-window rate limiting per realm (per second and per minute), with peak tracking."""

from __future__ import annotations

from collections import deque

from .settings import RateLimits


class SlidingCounter:
    """Counts events inside a trailing window of `window` seconds."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._times: deque[float] = deque()
        self.peak = 0

    def count(self, now: float) -> int:
        cutoff = now - self.window
        times = self._times
        while times and times[0] <= cutoff:
            times.popleft()
        return len(times)

    def add(self, now: float, n: int = 1) -> None:
        self.count(now)
        self._times.extend([now] * n)
        self.peak = max(self.peak, len(self._times))


class Throttle:
    """Admits `calls` at once or not at all; rejected calls do not consume the budget."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self.second = SlidingCounter(1.0)
        self.minute = SlidingCounter(60.0)
        # Attempted calls, including the throttled ones, for stats only.
        self.attempted_second = SlidingCounter(1.0)
        self.attempted_minute = SlidingCounter(60.0)

    def try_acquire(self, now: float, calls: int = 1) -> bool:
        self.attempted_second.add(now, calls)
        self.attempted_minute.add(now, calls)
        if self.second.count(now) + calls > self.limits.per_second:
            return False
        if self.minute.count(now) + calls > self.limits.per_minute:
            return False
        self.second.add(now, calls)
        self.minute.add(now, calls)
        return True
