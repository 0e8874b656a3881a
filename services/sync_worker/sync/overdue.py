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
from typing import NamedTuple

import structlog

log = structlog.get_logger(__name__)
_MOST_FRAMES = 40


class RunningUnit(NamedTuple):
    attempts: int  # the attempt it was claimed with
    task: asyncio.Task[None]
    started: float  # time.monotonic() when this replica started it


def cancel_overdue(running: Mapping[int, RunningUnit], limit_seconds: float) -> set[int]:
    """Cancels the running units started more than `limit_seconds` ago and returns their ids:
    their leases must not be extended (a cancelled unit leaves `running` as it ends)."""
    now = time.monotonic()
    stuck = {unit for unit, run in running.items() if now - run.started > limit_seconds}
    for unit in stuck:
        run = running[unit]
        seconds = round(now - run.started)
        log.error("unit_overdue_cancelled", unit=unit, seconds=seconds, at=where_waiting(run.task))
        run.task.cancel()
    return stuck


def where_waiting(task: asyncio.Task[None]) -> list[str]:
    """Where the task is suspended: its chain of awaits, outermost first, ending with what
    the innermost one waits on (`Task.get_stack` gives only the outermost frame)."""
    chain: list[str] = []
    awaited: object = task.get_coro()
    while awaited is not None and len(chain) < _MOST_FRAMES:
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
        if frame is None:
            chain.append(f"awaiting {type(awaited).__name__}")
            break
        chain.append(f"{frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}")
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    return chain
