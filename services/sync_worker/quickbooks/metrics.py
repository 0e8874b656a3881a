"""Optional observation hook: one call per HTTP attempt to QuickBooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestMetric:
    realm_id: str
    # A fixed label such as "invoice.create" or "query" (never a URL), to keep labels bounded.
    endpoint: str
    # HTTP status as text, or "timeout" / "network_error".
    outcome: str
    duration_seconds: float
    attempt: int
    rate_wait_seconds: float


MetricsHook = Callable[[RequestMetric], None]
