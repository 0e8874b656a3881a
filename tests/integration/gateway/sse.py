"""Reads a gateway's server-sent events in the background, for tests of the streams."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from services.gateway.cli.sse_client import ServerSentEvent, read_events


class EventCollector:
    """Reads a batch's SSE stream in the background and keeps every event."""

    def __init__(
        self, base_url: str, path: str, *, headers: dict[str, str], last_event_id: str | None = None
    ) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, headers=headers)
        self._path = path
        self._last_event_id = last_event_id
        self.events: list[ServerSentEvent] = []
        self.finished = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        try:
            async for event in read_events(
                self._client, self._path, last_event_id=self._last_event_id
            ):
                self.events.append(event)
        finally:
            self.finished.set()

    async def __aenter__(self) -> EventCollector:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await self._task
        await self._client.aclose()

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [json.loads(e.data) for e in self.events if e.event == kind]

    async def wait_for(
        self, predicate: Callable[[list[ServerSentEvent]], bool], timeout: float = 60.0
    ) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.events):
            if self.finished.is_set() and self._task is not None and self._task.done():
                exc = self._task.exception()
                raise AssertionError(f"stream ended early ({exc!r}); events: {self.events[-3:]}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"SSE never matched in {timeout}s; got {len(self.events)} events"
                )
            await asyncio.sleep(0.1)
