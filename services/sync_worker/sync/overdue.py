"""Units that run far longer than any legitimate one could.

Every wait inside a unit is bounded (HTTP timeouts, rate grants, a resent batch waiting at
most about a minute for room), so a unit still running after `max_unit_seconds` is stuck on
something that will not end. Left alone it would keep its lease extended forever and hold one
of its tenant's slots, so its invoice would never get a result. The executor cancels it
instead: its lease then expires and another attempt follows (fencing keeps the stuck one from
committing), and the log names where it was waiting so the cause can be fixed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Protocol

import structlog

log = structlog.get_logger(__name__)


class _Limit(Protocol):
    @property
    def max_unit_seconds(self) -> float: ...


def cancel_overdue(
    running: Mapping[int, tuple[int, asyncio.Task[None]]],
    started: dict[int, float],
    settings: _Limit,
) -> set[int]:
    """Cancels the running units past `max_unit_seconds` (their start times are dropped, so
    each is reported once) and returns their ids: their leases must not be extended."""
    now = time.monotonic()
    stuck = set(overdue(started, now, settings.max_unit_seconds))
    for unit in stuck:
        seconds = round(now - started.pop(unit))
        entry = running.get(unit)
        if entry is None:
            continue
        log.error("unit_overdue_cancelled", unit=unit, seconds=seconds, at=where_waiting(entry[1]))
        entry[1].cancel()
    return stuck


def overdue(started: Mapping[int, float], now: float, limit_seconds: float) -> list[int]:
    """The units (by id) started more than `limit_seconds` before `now`, oldest first."""
    late = [(at, unit) for unit, at in started.items() if now - at > limit_seconds]
    return [unit for _, unit in sorted(late)]


def where_waiting(task: asyncio.Task[None], *, depth: int = 40) -> list[str]:
    """Where the task is suspended: its chain of awaits, outermost first, ending with what
    the innermost one waits on (`Task.get_stack` gives only the outermost frame)."""
    chain: list[str] = []
    awaited: object = task.get_coro()
    while awaited is not None and len(chain) < depth:
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
        if frame is None:
            chain.append(f"awaiting {type(awaited).__name__}")
            break
        chain.append(f"{frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}")
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    return chain
