"""QuickBooks call arithmetic on the sandbox's per-realm stats (pure)."""

from __future__ import annotations

from typing import Any


def api_calls(stats: dict[str, Any]) -> dict[str, int]:
    """Admitted QuickBooks API calls by label (token refreshes and 429s excluded)."""
    out: dict[str, int] = {}
    for label, by_status in stats.get("requests", {}).items():
        if label == "token":
            continue
        out[label] = sum(n for status, n in by_status.items() if status != "429")
    return out


def single_calls(before: dict[str, Any], after: dict[str, Any]) -> int:
    """Calls made between two stats snapshots, counted as single requests (a `/batch`
    counts its items): what an ideal without batches would have to pace."""
    ran_after, ran_before = after.get("calls", {}), before.get("calls", {})
    if not ran_after:  # a sandbox without call counts
        return sum(api_calls(after).values()) - sum(api_calls(before).values())
    return int(sum(ran_after.values()) - sum(ran_before.values()))


def diff_counts(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


def ideal_seconds(calls: int, per_second: int = 10, per_minute: int = 500) -> float:
    """Shortest time to make `calls` calls without breaking either sliding window (the
    first call at t=0, each later one as early as both windows allow)."""
    times: list[float] = []
    for i in range(calls):
        t = times[-1] if times else 0.0
        if i >= per_second:
            t = max(t, times[i - per_second] + 1.0)
        if i >= per_minute:
            t = max(t, times[i - per_minute] + 60.0)
        times.append(t)
    return times[-1] if times else 0.0
