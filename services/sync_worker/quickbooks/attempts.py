"""The pieces of one HTTP attempt to QuickBooks: what is logged about it, the error that
asks for another attempt, and the hook that times its send (used by transport.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from services.contract.errors import ErrorCode

from .errors import QuickBooksError
from .rate_limit import Grant


@dataclass(slots=True)
class Attempt:
    """One HTTP attempt, for logs and metrics."""

    realm_id: str
    endpoint: str
    attempt: int
    rate_wait: float = 0.0
    started: float = 0.0


def unreachable(endpoint: str, exc: Exception) -> QuickBooksError:
    return QuickBooksError(
        ErrorCode.QBO_UNAVAILABLE,
        f"QuickBooks did not answer {endpoint} ({type(exc).__name__}) within "
        "the retry budget. Retry later; the service retries automatically.",
        details={"operation": endpoint, "error": type(exc).__name__},
    )


class TransientError(Exception):
    """An attempt failed in a way another attempt may fix; carries the final error."""

    def __init__(self, final: QuickBooksError, *, throttled: bool) -> None:
        super().__init__(final.message)
        self.final = final
        self.throttled = throttled


def wire_time_recorder(grant: Grant) -> Callable[[str, Any], Awaitable[None]]:
    """httpcore trace hook: the send counts from the moment its headers are written, not from
    when the gate let it through (pool waits and connects would otherwise shift it)."""

    async def trace(event: str, info: Any) -> None:
        if event.endswith("send_request_headers.started"):
            grant.on_wire()

    return trace
