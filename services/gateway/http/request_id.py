"""Every request gets an id and one JSON log line.

The id comes from `X-Request-ID` when it is acceptable (1 to 128 printable ASCII characters),
otherwise a new one is made; it is echoed as `X-Request-ID` on every response, errors
included, and bound to the log context so every line logged while serving carries it.
Pure ASGI, so streamed responses pass untouched; the line is written when the response
ends (for an event stream, when it closes).
"""

from __future__ import annotations

import time
import uuid

import structlog
from starlette.types import Message, Receive, Scope, Send

from services.gateway.http.asgi_middleware import HttpMiddleware

log = structlog.get_logger(__name__)

HEADER = "X-Request-ID"
MAX_LENGTH = 128


def accepted_request_id(value: str | None) -> str | None:
    """The caller's id if it may be echoed and logged as it is."""
    if not value or len(value) > MAX_LENGTH:
        return None
    if not all(0x21 <= ord(c) <= 0x7E for c in value):
        return None
    return value


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


class RequestId(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = accepted_request_id(_header(scope, b"x-request-id")) or uuid.uuid4().hex
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode())]}
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                log.info(
                    "request",
                    method=scope.get("method"),
                    route=getattr(scope.get("route"), "path", "unmatched"),
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                )
