"""Reading a text/event-stream line by line (pure parser + an httpx reader)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    event: str
    data: str
    id: str | None


class SseParser:
    """Feed lines without their line ending; a blank line completes an event."""

    def __init__(self) -> None:
        self.last_event_id: str | None = None
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None

    def feed(self, line: str) -> ServerSentEvent | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._id = value
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if self._id is not None:
            self.last_event_id = self._id
        event = None
        if self._data:
            event = ServerSentEvent(self._event or "message", "\n".join(self._data), self._id)
        self._event, self._data, self._id = "", [], None
        return event


async def read_events(
    client: httpx.AsyncClient,
    url: str,
    *,
    last_event_id: str | None = None,
    on_error: Callable[[httpx.Response], Exception] | None = None,
) -> AsyncIterator[ServerSentEvent]:
    headers = {"Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    parser = SseParser()
    async with client.stream("GET", url, headers=headers, timeout=None) as response:
        if response.status_code >= 400 and on_error is not None:
            await response.aread()
            raise on_error(response)
        response.raise_for_status()
        async for line in response.aiter_lines():
            event = parser.feed(line)
            if event is not None:
                yield event
