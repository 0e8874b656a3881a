"""The pieces of one HTTP attempt to QuickBooks: what is logged about it, the error that
asks for another attempt, and the hook that times its send (used by transport.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

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


@dataclass(slots=True)
class Prepaid:
    """A grant already held for `realm_id` (the first attempt uses it) and how many items
    each attempt's request carries (a `/batch` of `items`; 1 for a single call)."""

    grant: Grant | None
    realm_id: str | None
    items: int

    def take(self, realm_id: str) -> Grant | None:
        grant, self.grant = self.grant, None
        # A tenant reconnected to another company meanwhile: that grant is not for this one.
        return grant if realm_id == self.realm_id else None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One logical request, the same on every attempt (a retry resends identical bytes)."""

    tenant_id: str
    method: str
    path: str
    endpoint: str
    query: dict[str, str]
    content: bytes | None
    content_type: str
    prepaid: Prepaid


class SendMarker(Protocol):
    def on_wire(self) -> None: ...


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


def wire_time_recorder(grant: SendMarker) -> Callable[[str, Any], Awaitable[None]]:
    """httpcore trace hook: the send counts from the moment the whole request is written, not
    from when the gate let it through. Pool waits and connects would otherwise shift it, and
    so would the event-loop turns between writing the headers and the body (each socket
    write yields to the loop, which under load can take tens of milliseconds): QuickBooks
    counts a request when it has arrived, so that is the instant the windows must hold."""

    async def trace(event: str, info: Any) -> None:
        if event.endswith("send_request_body.complete"):
            grant.on_wire()

    return trace
