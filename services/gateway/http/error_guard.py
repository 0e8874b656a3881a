"""The last line: no exception leaves the gateway as a plain-text 500.

A database that does not answer becomes 503 with Retry-After (clients retry; nothing was
done). Text PostgreSQL cannot store becomes 422. Anything else becomes a 500 problem+json,
logged as one JSON line with the request's method and path. Runs inside Starlette's own
error middleware, so the server never prints a plain traceback either.
"""

from __future__ import annotations

import asyncpg
import structlog
from starlette.types import Message, Receive, Scope, Send

from services.gateway.http.asgi_middleware import HttpMiddleware
from services.gateway.http.asgi_problem import send_problem

log = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = 5

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.OperatorInterventionError,
    # A connection cut mid-query leaves asyncpg's protocol state unusable.
    asyncpg.exceptions.InternalClientError,
)
UNSTORABLE_TEXT: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.CharacterNotInRepertoireError,
    asyncpg.exceptions.UntranslatableCharacterError,
)


class ErrorGuard(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            path = str(scope.get("path", ""))
            status, title, detail, headers = _classify(exc)
            log.error(
                "request_failed",
                method=scope.get("method"),
                path=path,
                status=status,
                error=f"{type(exc).__name__}: {exc}"[:500],
                exc_info=status == 500,
            )
            if started:
                return  # a streaming response already began: nothing more can be said
            await send_problem(scope, send, status, title, detail, headers=headers)


def _classify(exc: Exception) -> tuple[int, str, str, list[tuple[bytes, bytes]]]:
    if isinstance(exc, UNSTORABLE_TEXT):
        return 422, "Invalid request", "The request contains characters that cannot be stored "\
            "(such as NUL).", []  # fmt: skip
    if isinstance(exc, OUTAGE_ERRORS):
        retry = [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())]
        return 503, "Service unavailable", "The database is not answering; nothing was done. "\
            f"Try again in {RETRY_AFTER_SECONDS} seconds.", retry  # fmt: skip
    return 500, "Internal error", "The request failed unexpectedly; it has been logged.", []
