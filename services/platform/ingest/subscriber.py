"""Registers a FastStream batch subscriber that feeds `ingest_batch`.

Offsets are committed only after the batch's transaction committed; on a database error the
batch is nacked (FastStream rewinds the partitions) and redelivered.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage

from services.contract.common import utc_now
from services.platform.ingest.isolation import FailureCounter, ingest_isolating, is_outage
from services.platform.ingest.ports import EventHandler
from services.platform.ingest.records import RawRecord
from services.platform.ingest.service import IngestOutcome, ingest_batch

log = structlog.get_logger(__name__)


async def _raw_records(msg: Any) -> list[RawRecord]:
    return [RawRecord(r.topic, r.partition, r.offset, r.key, r.value) for r in msg.raw_message]


def subscribe_ingest(
    broker: KafkaBroker,
    topics: Sequence[str],
    *,
    group_id: str,
    pool: Callable[[], asyncpg.Pool],
    handler: Callable[[], EventHandler],
    consumer_name: str,
    max_records: int,
    on_batch: Callable[[IngestOutcome, float], None] | None = None,
    consumers: int = 1,
) -> None:
    """`consumers` members of the group in this process, each with its share of the
    partitions. A consumed batch is handled serially (its Python, then its statements), so
    with two one parses while the other waits on PostgreSQL."""
    apply = _Apply(pool, handler, consumer_name, on_batch)
    for _ in range(consumers):
        broker.subscriber(
            *topics,
            group_id=group_id,
            batch=True,
            max_records=max_records,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            decoder=_raw_records,
        )(apply.consumer())


class _Apply:
    def __init__(
        self,
        pool: Callable[[], asyncpg.Pool],
        handler: Callable[[], EventHandler],
        consumer_name: str,
        on_batch: Callable[[IngestOutcome, float], None] | None,
    ) -> None:
        self._pool = pool
        self._handler = handler
        self._name = consumer_name
        self._on_batch = on_batch
        # Keyed by where a batch starts, so one count serves every consumer: a failing batch
        # that moves to another consumer of this process keeps its count.
        self._failures = FailureCounter()

    def consumer(self) -> Callable[[list[RawRecord], KafkaMessage], Awaitable[None]]:
        """A handler of its own for each subscriber (FastStream registers functions)."""

        async def ingest(records: list[RawRecord], message: KafkaMessage) -> None:
            await self._batch(records)

        return ingest

    async def _batch(self, records: list[RawRecord]) -> None:
        failures = self._failures
        started = time.perf_counter()
        # One global order (per-partition order kept): consumers that briefly share
        # partitions during a rebalance then take row locks in the same order, never a cycle.
        records = sorted(records, key=lambda r: (r.topic, r.partition, r.offset))
        handler, name = self._handler, self._name
        try:
            async with self._pool().acquire() as conn:
                try:
                    outcome = await ingest_batch(
                        conn, records, handler, consumer_name=name, now=utc_now()
                    )
                except Exception as exc:
                    if is_outage(exc) or not failures.failed(records):
                        raise
                    outcome = await ingest_isolating(
                        conn,
                        records,
                        handler,
                        consumer_name=name,
                        now=utc_now(),
                        attempts=failures.limit,
                    )
            failures.succeeded(records)
        except Exception as exc:
            # Pause so a database outage does not become a hot redelivery loop.
            log.error("ingest_failed_will_redeliver", error=repr(exc), records=len(records))
            await asyncio.sleep(1.0)
            raise
        if self._on_batch is not None:
            self._on_batch(outcome, time.perf_counter() - started)
        log.debug(
            "ingested",
            records=len(records),
            stored=outcome.stored,
            duplicates=outcome.duplicates,
            dead_lettered=outcome.dead_lettered,
        )
