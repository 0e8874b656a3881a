"""The trace hook re-records a send once the whole request has been written."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import httpx

from services.sync_worker.quickbooks.attempts import wire_time_recorder


@dataclass
class _Grant:
    """Notes which trace event it was marked on."""

    events: list[str]
    waited: float = 0.0
    marks: list[str] = field(default_factory=list)

    def on_wire(self) -> None:
        self.marks.append(self.events[-1])


async def test_a_real_request_is_marked_once_after_its_body_is_written() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await reader.readexactly(4)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    events: list[str] = []
    grant = _Grant(events)
    hook = wire_time_recorder(grant)

    async def trace(event: str, info: object) -> None:
        events.append(event)
        await hook(event, info)

    async with server, httpx.AsyncClient() as client:
        response = await client.post(
            f"http://127.0.0.1:{port}/", content=b"body", extensions={"trace": trace}
        )
    assert response.status_code == 200
    # Marked once, after the body, not when the headers started.
    assert grant.marks == ["http11.send_request_body.complete"]
