"""Publishes outbox rows to Kafka in commit order.

One relay per schema is active at a time (a PostgreSQL advisory lock elects it), which keeps
per-key order without coordination between replicas; the others stand by and take over
within one poll interval if it dies. Delivery is at least once: a crash between the Kafka
ack and the DELETE republishes rows, and consumers deduplicate on `event_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import zlib
from collections.abc import Callable

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka import errors as kafka_errors

from services.platform.outbox.parking import park_row
from services.platform.outbox.producer_handle import BROKEN_PRODUCER_STATE, ProducerHandle
from services.platform.outbox.store import NOTIFY_CHANNEL

log = structlog.get_logger(__name__)

# Refusals that depend on the record itself: sending it again can never succeed, so the row
# is parked and the rows behind it go on. Every other error is retried (the broker is away,
# a leader moved, ...), keeping order.
PERMANENT_REFUSALS: tuple[type[BaseException], ...] = (
    kafka_errors.MessageSizeTooLargeError,
    kafka_errors.RecordTooLargeError,
    kafka_errors.RecordListTooLargeError,
    kafka_errors.CorruptRecordException,
    kafka_errors.InvalidMessageError,
    kafka_errors.InvalidTimestampError,
    kafka_errors.UnsupportedForMessageFormatError,
    kafka_errors.InvalidTopicError,
)


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        producer_factory: Callable[[], AIOKafkaProducer],
        *,
        lock_name: str,
        batch_size: int = 500,
        idle_poll_seconds: float = 1.0,
    ) -> None:
        self._pool = pool
        self._producer = ProducerHandle(producer_factory)
        self._lock_id = zlib.crc32(lock_name.encode())
        self._batch_size = batch_size
        self._idle_poll = idle_poll_seconds
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        failures = 0
        try:
            while not self._stopping.is_set():
                try:
                    await self._lead()
                    failures = 0
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # Kafka or PostgreSQL trouble: never let it die
                    failures += 1
                    log.warning("outbox_relay_error", error=repr(exc), consecutive=failures)
                    if isinstance(exc, BROKEN_PRODUCER_STATE):
                        await self._producer.renew(type(exc).__name__)
                    await self._sleep(min(self._idle_poll * 2**failures, 30.0))
        finally:
            await self._producer.close()

    async def _lead(self) -> None:
        async with self._pool.acquire() as conn:
            if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", self._lock_id):
                await self._sleep(self._idle_poll)
                return
            await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
            try:
                while not self._stopping.is_set():
                    if await self.publish_pending(conn) == 0:
                        await self._sleep(self._idle_poll)
                # Shutdown: one last flush of whatever was committed meanwhile.
                await self.publish_pending(conn)
            finally:
                with contextlib.suppress(Exception):
                    await conn.remove_listener(NOTIFY_CHANNEL, self._on_notify)
                    await conn.execute("SELECT pg_advisory_unlock($1)", self._lock_id)

    async def publish_pending(self, conn: asyncpg.Connection) -> int:
        rows = await conn.fetch(
            "SELECT id, topic, key, value, headers FROM outbox ORDER BY id LIMIT $1",
            self._batch_size,
        )
        if not rows:
            return 0
        producer = await self._producer.get()
        sent: list[tuple[asyncpg.Record, asyncio.Future[object]]] = []
        refused: list[asyncpg.Record] = []
        for row in rows:
            try:
                sent.append((row, await self._send(producer, row)))
            except PERMANENT_REFUSALS:
                refused.append(row)
        outcomes = await asyncio.gather(*(f for _, f in sent), return_exceptions=True)
        published_ids = []
        transient: BaseException | None = None
        for (row, _), outcome in zip(sent, outcomes, strict=True):
            if isinstance(outcome, PERMANENT_REFUSALS):
                refused.append(row)
            elif isinstance(outcome, BaseException):
                transient = transient or outcome
            else:
                published_ids.append(row["id"])
        # Exact ids, not a range: a transaction with a lower id may commit after this read.
        await conn.execute("DELETE FROM outbox WHERE id = ANY($1::bigint[])", published_ids)
        if refused:
            await self._producer.renew("a record was refused")
            await self._confirm_alone(conn, refused)
        if transient is not None:
            raise transient  # the rest is retried, in order, on the next round
        return len(rows)

    async def _confirm_alone(self, conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> None:
        """A refusal may have hit a neighbour in the same record batch: each refused row is
        sent once more on its own, and parked only if Kafka refuses it again."""
        for row in sorted(rows, key=lambda r: r["id"]):
            producer = await self._producer.get()
            try:
                await (await self._send(producer, row))
            except PERMANENT_REFUSALS as error:
                await self._producer.renew("a record was refused")
                await park_row(conn, row, f"refused_by_kafka: {type(error).__name__}: {error}")
                continue
            await conn.execute("DELETE FROM outbox WHERE id = $1", row["id"])

    @staticmethod
    async def _send(producer: AIOKafkaProducer, row: asyncpg.Record) -> asyncio.Future[object]:
        future: asyncio.Future[object] = await producer.send(
            row["topic"],
            value=row["value"],
            key=row["key"],
            headers=[(k, v.encode()) for k, v in json.loads(row["headers"])],
        )
        return future

    def _on_notify(self, *_args: object) -> None:
        self._wake.set()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()
