"""`Idempotency-Key` on every POST: a retried request is answered, not executed, again.

Keys are scoped to the caller's credential. The first request with a key reserves it and,
if it succeeds (2xx), its status, body and Location are kept for 24 hours; the same key
with the same method, path and body gets that answer again (`Idempotent-Replayed: true`).
The same key with anything else is 422; while the first is still being served, 409 with
Retry-After. An error answer is not kept, so the key can be used again after a fix.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.http.asgi_problem import send_problem
from services.gateway.http.body_limit import _replay
from services.gateway.idempotency import repository as repo
from services.gateway.idempotency.model import (
    StoredAnswer,
    caller_id,
    fingerprint,
    should_store,
    valid_key,
)

PROBLEM_BASE = "urn:mediaos-sync:problem:idempotency-"


def _headers(scope: Scope) -> dict[bytes, str]:
    return {k.lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _credential(scope: Scope, headers: dict[bytes, str]) -> str | None:
    auth = headers.get(b"authorization", "").strip()
    if auth:
        return auth
    query: bytes = scope.get("query_string", b"")
    for part in query.decode("latin-1").split("&"):
        if part.startswith("access_token="):
            return part
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            return b"".join(chunks)


class Idempotency:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope) if scope["type"] == "http" else {}
        key = headers.get(b"idempotency-key")
        credential = _credential(scope, headers)
        if scope.get("method") != "POST" or key is None or credential is None:
            await self.app(scope, receive, send)
            return
        if not valid_key(key):
            await send_problem(
                scope, send, 400, "Invalid Idempotency-Key",
                "An Idempotency-Key is 1 to 255 printable ASCII characters.",
                type_=PROBLEM_BASE + "invalid-key",
            )  # fmt: skip
            return
        body = await _read_body(receive)
        caller = caller_id(credential)
        request_print = fingerprint(
            scope["method"], scope["path"], scope.get("query_string", b""), body
        )
        pool = scope["app"].state.pool
        async with pool.acquire() as conn:
            first = await repo.reserve(conn, caller, key, request_print)
            stored = None if first else await repo.find(conn, caller, key)
        if not first:
            await self._answer_again(scope, send, stored, request_print)
            return
        await self._first(scope, _replay(body, receive), send, pool, caller, key)

    async def _first(
        self, scope: Scope, receive: Receive, send: Send, pool: Any, caller: str, key: str
    ) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def keeping_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, keeping_send)
        finally:
            async with pool.acquire() as conn:
                status = int(start.get("status", 500))
                if should_store(status):
                    out = {k.lower(): v.decode("latin-1") for k, v in start.get("headers", [])}
                    await repo.record(
                        conn, caller, key, status=status, content_type=out.get(b"content-type"),
                        location=out.get(b"location"), body=b"".join(chunks),
                    )  # fmt: skip
                    await repo.purge_expired(conn)
                else:
                    await repo.release(conn, caller, key)

    async def _answer_again(
        self, scope: Scope, send: Send, stored: StoredAnswer | None, request_print: str
    ) -> None:
        if stored is not None and stored.fingerprint != request_print:
            await send_problem(
                scope, send, 422, "Idempotency-Key reused",
                "This Idempotency-Key was already used with a different request; "
                "use a new key for a new request.",
                type_=PROBLEM_BASE + "key-reused",
            )  # fmt: skip
            return
        if stored is None or stored.status is None:
            await send_problem(
                scope, send, 409, "Request in progress",
                "A request with this Idempotency-Key is still being served; try again shortly.",
                type_=PROBLEM_BASE + "in-progress", headers=[(b"retry-after", b"1")],
            )  # fmt: skip
            return
        body = stored.body or b""
        headers = [
            (b"content-length", str(len(body)).encode()),
            (b"idempotent-replayed", b"true"),
        ]
        if stored.content_type:
            headers.append((b"content-type", stored.content_type.encode("latin-1")))
        if stored.location:
            headers.append((b"location", stored.location.encode("latin-1")))
        await send({"type": "http.response.start", "status": stored.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
