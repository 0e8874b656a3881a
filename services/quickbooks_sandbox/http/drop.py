"""`drop_after_commit`: after the write is committed the client gets no response at all.

mode "hang" (default): hold the response until the client gives up (its timeout fires and
it closes the socket) or `hang_seconds` pass, then abort the TCP connection.
mode "abort": abort the TCP connection at once (the client sees a reset/closed connection).
The abort reaches uvicorn's transport through the raw ASGI `send` the app received; when
that is not available (another server), only the hang happens and the server answers 500.
"""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import FastAPI
from fastapi.responses import Response
from starlette.types import Receive, Scope, Send

RAW_SEND_KEY = "qbo_sandbox.raw_send"


class SandboxApp(FastAPI):
    """FastAPI that remembers the server's own `send` (outside every middleware wrapper)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[RAW_SEND_KEY] = send
        await super().__call__(scope, receive, send)


def abort_connection(scope: Scope) -> bool:
    owner = getattr(scope.get(RAW_SEND_KEY), "__self__", None)
    transport = getattr(owner, "transport", None)
    if isinstance(transport, asyncio.Transport):
        transport.abort()
        return True
    return False


async def wait_for_disconnect(receive: Receive, seconds: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        try:
            message = await asyncio.wait_for(receive(), remaining)
        except TimeoutError:
            return False
        if message["type"] == "http.disconnect":
            return True
    return False


class DroppedResponse(Response):
    def __init__(self, hang_seconds: float, mode: str) -> None:
        super().__init__(status_code=504)
        self.hang_seconds = hang_seconds
        self.mode = mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.mode == "hang":
            await wait_for_disconnect(receive, self.hang_seconds)
        if abort_connection(scope):
            # Let uvicorn notice the closed transport so it does not try to answer 500.
            with contextlib.suppress(Exception):
                await wait_for_disconnect(receive, 1.0)
