"""Sending a problem+json answer from ASGI middleware (outside FastAPI's handlers)."""

from __future__ import annotations

import json

from starlette.types import Scope, Send

from services.gateway.http.problems import PROBLEM_JSON


async def send_problem(
    scope: Scope,
    send: Send,
    status: int,
    title: str,
    detail: str,
    *,
    type_: str = "about:blank",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps(
        {
            "type": type_,
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path", ""),
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
