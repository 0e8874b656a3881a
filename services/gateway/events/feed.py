"""One reader per batch per replica, shared by every SSE stream of that batch.

Why: a stream used to re-read the batch row and its change log on every NOTIFY, so N clients
on one batch cost N reads per change, and the reads queued on the pool. Now the feed of a
batch reads once per NOTIFY (NOTIFYs arriving during a read coalesce into one more read),
formats each change as SSE text once into a bounded buffer, keeps the latest batch row and
wakes its streams. A stream further back than the buffer (an old Last-Event-ID, or a client
too slow to keep up) pages the change log itself until it is back in the buffer: the only
per-client read. A feed lives while streams hold it, plus a short linger, so the route's
existence check, the stream that follows it and a reconnecting client share one feed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from uuid import UUID

import asyncpg
import structlog

from services.gateway.batches import repository as repo
from services.gateway.batches.model import BatchRow
from services.gateway.events.buffer import ChangeBuffer
from services.gateway.events.notifier import ChangeNotifier
from services.gateway.events.sse import sse_event
from services.gateway.observability.metrics import SSE_READS

log = structlog.get_logger(__name__)

PAGE = 500


def wire(change: asyncpg.Record) -> str:
    return sse_event(change["payload"], event=change["kind"], event_id=change["seq"])


@dataclass(frozen=True, slots=True)
class FeedSource:
    """What every feed of a registry reads from, and how: `capacity` changes buffered,
    a re-read every `refresh_seconds` without a NOTIFY, `retry_seconds` after a failed read."""

    pool: asyncpg.Pool
    notifier: ChangeNotifier
    capacity: int
    refresh_seconds: float
    retry_seconds: float


class BatchFeed:
    def __init__(self, source: FeedSource, tenant_id: str, batch_id: UUID) -> None:
        self.tenant_id = tenant_id
        self.batch_id = batch_id
        self.row: BatchRow | None = None
        self.buffer = ChangeBuffer(source.capacity, 0)
        self.reads = 0
        self.refs = 0
        self.linger: asyncio.TimerHandle | None = None
        self._source = source
        self._streams: set[asyncio.Event] = set()
        self._ready = asyncio.Event()
        self._error: BaseException | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"batch-feed-{self.batch_id}")

    def cancel(self) -> asyncio.Task[None] | None:
        if self._task is not None:
            self._task.cancel()
        return self._task

    @property
    def failed(self) -> bool:
        return self._error is not None

    async def wait_ready(self) -> None:
        await self._ready.wait()
        if self._error is not None:
            # The first read's own error, so an outage still answers 503 (http/error_guard).
            raise self._error

    @contextlib.contextmanager
    def wake_on_change(self) -> Iterator[asyncio.Event]:
        """An event set after every read of the feed (whatever it found)."""
        wake = asyncio.Event()
        self._streams.add(wake)
        try:
            yield wake
        finally:
            self._streams.discard(wake)

    async def read_page(self, after: int) -> tuple[str, int]:
        """A stream behind the buffer: the wire text of the next page of the change log after
        `after`, and the sequence it ends at."""
        async with self._source.pool.acquire() as conn:
            changes = await repo.changes_after(conn, self.batch_id, after, PAGE)
        SSE_READS.labels("catch_up").inc()
        if not changes:
            # Nothing in the log up to where the buffer starts: nothing was missed.
            return "", max(after, self.buffer.base_seq)
        return "".join(wire(c) for c in changes), changes[-1]["seq"]

    async def _run(self) -> None:
        # Subscribed before the first read: a change committed after it still wakes the feed.
        with self._source.notifier.subscribe(self.batch_id) as dirty:
            try:
                await self._read_first()
            except Exception as exc:
                self._error = exc
                log.warning("batch_feed_read_failed", batch_id=str(self.batch_id), error=repr(exc))
                return
            finally:
                self._ready.set()
            if self.row is None:
                return
            while True:
                reader = await self._next_read(dirty)
                try:
                    more = await self._read_changes(reader)
                except Exception as exc:
                    log.warning(
                        "batch_feed_read_failed", batch_id=str(self.batch_id), error=repr(exc)
                    )
                    await asyncio.sleep(self._source.retry_seconds)
                    dirty.set()
                    continue
                if more:
                    dirty.set()
                for wake in self._streams:
                    wake.set()

    async def _next_read(self, dirty: asyncio.Event) -> str:
        """Waits for a NOTIFY, or re-reads every `refresh_seconds` anyway (a NOTIFY lost on a
        listener connection that died silently is still seen)."""
        try:
            await asyncio.wait_for(dirty.wait(), self._source.refresh_seconds)
            reader = "feed"
        except TimeoutError:
            reader = "feed_refresh"
        dirty.clear()  # NOTIFYs arriving during the read coalesce into one re-read
        return reader

    async def _read_first(self) -> None:
        async with self._source.pool.acquire() as conn:
            row = await repo.get_batch(conn, self.tenant_id, self.batch_id)
        self._count_read("feed")
        self.row = row
        # Earlier changes are not held: a stream resuming from before them pages the log.
        self.buffer = ChangeBuffer(self._source.capacity, row.last_seq if row is not None else 0)

    async def _read_changes(self, reader: str) -> bool:
        """Reads the batch row, then the changes after the buffer's end; True if a full page
        came back (more may follow). The row is read first, so the changes reach its last_seq
        unless the page was full."""
        async with self._source.pool.acquire() as conn:
            row = await repo.get_batch(conn, self.tenant_id, self.batch_id)
            changes = await repo.changes_after(conn, self.batch_id, self.buffer.last_seq, PAGE)
        self._count_read(reader)
        for change in changes:
            self.buffer.append(change["seq"], wire(change))
        self.row = row
        return len(changes) == PAGE

    def _count_read(self, reader: str) -> None:
        self.reads += 1
        SSE_READS.labels(reader).inc()


class FeedRegistry:
    """This replica's feeds, one per (tenant, batch), refcounted by the streams holding them."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        notifier: ChangeNotifier,
        *,
        capacity: int = 5000,
        refresh_seconds: float = 15.0,
        linger_seconds: float = 5.0,
        retry_seconds: float = 1.0,
    ) -> None:
        self._source = FeedSource(pool, notifier, capacity, refresh_seconds, retry_seconds)
        self._linger = linger_seconds
        self._feeds: dict[tuple[str, UUID], BatchFeed] = {}

    def __len__(self) -> int:
        return len(self._feeds)

    @contextlib.asynccontextmanager
    async def open(self, tenant_id: str, batch_id: UUID) -> AsyncIterator[BatchFeed]:
        """The batch's feed after its first read (`row` is None for an unknown batch)."""
        key = (tenant_id, batch_id)
        feed = self._feeds.get(key)
        if feed is None:
            feed = BatchFeed(self._source, tenant_id, batch_id)
            self._feeds[key] = feed
            feed.start()
        if feed.linger is not None:
            feed.linger.cancel()
            feed.linger = None
        feed.refs += 1
        try:
            await feed.wait_ready()
            yield feed
        finally:
            feed.refs -= 1
            if feed.refs == 0:
                self._release(key, feed)

    async def stop(self) -> None:
        tasks = [feed.cancel() for feed in self._feeds.values()]
        self._feeds.clear()
        await asyncio.gather(*(t for t in tasks if t is not None), return_exceptions=True)

    def _release(self, key: tuple[str, UUID], feed: BatchFeed) -> None:
        if feed.failed or feed.row is None or self._linger <= 0:
            self._close(key, feed)
        else:
            loop = asyncio.get_running_loop()
            feed.linger = loop.call_later(self._linger, self._close, key, feed)

    def _close(self, key: tuple[str, UUID], feed: BatchFeed) -> None:
        feed.linger = None
        if self._feeds.get(key) is feed:
            del self._feeds[key]
        feed.cancel()
