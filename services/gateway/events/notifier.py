"""Fan-out of batch changes to this replica's SSE streams via PostgreSQL LISTEN/NOTIFY.

Whichever replica consumed a result commits the change and a NOTIFY; every replica's
listener marks its feed of that batch dirty (`feed.py`), which reads the change once for all
of the replica's streams. A lost listener connection is re-established, marking every feed
dirty so nothing is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from uuid import UUID

import asyncpg
import structlog

log = structlog.get_logger(__name__)


class ChangeNotifier:
    def __init__(self, dsn: str, channel: str, *, reconnect_seconds: float = 1.0) -> None:
        self._dsn = dsn
        self._channel = channel
        self._reconnect = reconnect_seconds
        self._waiters: defaultdict[UUID, set[asyncio.Event]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="batch-change-listener")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @contextlib.contextmanager
    def subscribe(self, batch_id: UUID) -> Iterator[asyncio.Event]:
        wake = asyncio.Event()
        self._waiters[batch_id].add(wake)
        try:
            yield wake
        finally:
            waiters = self._waiters.get(batch_id)
            if waiters is not None:
                waiters.discard(wake)
                if not waiters:
                    del self._waiters[batch_id]

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            batch_id = UUID(payload)
        except ValueError:
            return
        for wake in self._waiters.get(batch_id, ()):
            wake.set()

    def _wake_all(self) -> None:
        for waiters in self._waiters.values():
            for wake in waiters:
                wake.set()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            lost = asyncio.Event()
            try:
                conn = await asyncpg.connect(self._dsn)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("change_listener_connect_failed", error=repr(exc))
                await asyncio.sleep(self._reconnect)
                continue
            try:
                conn.add_termination_listener(_setter(lost))
                await conn.add_listener(self._channel, self._on_notify)
                self.connected.set()
                self._wake_all()
                await lost.wait()
                log.warning("change_listener_lost")
            finally:
                self.connected.clear()
                with contextlib.suppress(Exception):
                    await conn.close(timeout=2)
            self._wake_all()
            await asyncio.sleep(self._reconnect)


def _setter(event: asyncio.Event) -> Callable[[object], None]:
    return lambda _conn: event.set()
