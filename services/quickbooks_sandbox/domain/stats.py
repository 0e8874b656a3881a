"""Request counters per endpoint label and HTTP status, for the admin stats endpoint."""

from __future__ import annotations

from collections import defaultdict

from .errors import JsonDict
from .throttle import Throttle


class RealmStats:
    def __init__(self) -> None:
        self.requests: defaultdict[str, defaultdict[str, int]] = defaultdict(
            lambda: defaultdict(int)
        )
        self.total = 0
        self.throttled = 0
        # Calls that ran, by label: a `/batch` counts its items (what the minute window counts).
        self.calls: defaultdict[str, int] = defaultdict(int)

    def record(self, label: str, status: int, throttled: bool = False) -> None:
        self.requests[label][str(status)] += 1
        self.total += 1
        if throttled:
            self.throttled += 1

    def ran(self, label: str, calls: int) -> None:
        self.calls[label] += calls

    def snapshot(self, throttle: Throttle) -> JsonDict:
        return {
            "requests": {label: dict(counts) for label, counts in self.requests.items()},
            "total_requests": self.total,
            "calls": dict(self.calls),
            "throttled": self.throttled,
            "peak_per_second": throttle.second.peak,
            "peak_per_minute": throttle.minute.peak,
            "peak_per_second_including_throttled": throttle.attempted_second.peak,
            "peak_per_minute_including_throttled": throttle.attempted_minute.peak,
        }
