"""Rate limiting per realm (sliding windows), with peak tracking.

Accounting (sources in README.md, "Throttling"):
- per second: HTTP requests; a `/batch` request is one request, whatever its size;
- per minute: API calls; each batch item is one call;
- batch per minute: `/batch` requests (Intuit: 40 per minute per realm and app).
A request is admitted whole or not at all; a refused one consumes nothing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

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

    def wait_for(self, now: float, room: int, limit: int) -> float:
        """Seconds until `room` more events fit under `limit` (0 if they fit now)."""
        self.count(now)
        excess = len(self._times) + room - limit
        if excess <= 0:
            return 0.0
        if room > limit or excess > len(self._times):
            return self.window
        return max(self._times[excess - 1] + self.window - now, 0.0)


@dataclass(frozen=True)
class Refusal:
    window: str  # "second", "minute" or "batch-minute"
    limit: int
    retry_after: float


class Throttle:
    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self.second = SlidingCounter(1.0)
        self.minute = SlidingCounter(60.0)
        self.batch_minute = SlidingCounter(60.0)
        # Attempted requests / calls, including the throttled ones, for stats only.
        self.attempted_second = SlidingCounter(1.0)
        self.attempted_minute = SlidingCounter(60.0)

    def admit(self, now: float, calls: int = 1, batch: bool = False) -> Refusal | None:
        self.attempted_second.add(now)
        self.attempted_minute.add(now, calls)
        checks = [
            ("second", self.second, 1, self.limits.per_second),
            ("minute", self.minute, calls, self.limits.per_minute),
        ]
        if batch:
            checks.append(("batch-minute", self.batch_minute, 1, self.limits.batch_per_minute))
        for window, counter, room, limit in checks:
            wait = counter.wait_for(now, room, limit)
            if wait > 0:
                return Refusal(window, limit, wait)
        self.second.add(now)
        self.minute.add(now, calls)
        if batch:
            self.batch_minute.add(now)
        return None

    def try_acquire(self, now: float, calls: int = 1) -> bool:
        return self.admit(now, calls) is None
