"""The gateway's Kafka consumer: results and push requests into PostgreSQL.

Like `services.platform.ingest.subscriber`, offsets are committed only after the
transaction committed; the difference is an outer transaction in which the staged batch
updates are flushed after `ingest_batch` (whose own transaction becomes a savepoint).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage

from services.contract.common import utc_now
from services.gateway.progress.handler import GatewayEventHandler
from services.platform.ingest import RawRecord, ingest_batch

log = structlog.get_logger(__name__)


async def _raw_records(msg: Any) -> list[RawRecord]:
    return [RawRecord(r.topic, r.partition, r.offset, r.key, r.value) for r in msg.raw_message]


def subscribe_progress(
    broker: KafkaBroker,
    topics: Sequence[str],
    *,
    group_id: str,
    pool: Callable[[], asyncpg.Pool],
    consumer_name: str,
    max_records: int,
    on_results: Callable[[int], None] | None = None,
) -> None:
    @broker.subscriber(
        *topics,
        group_id=group_id,
        batch=True,
        max_records=max_records,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=_raw_records,
    )
    async def ingest(records: list[RawRecord], message: KafkaMessage) -> None:
        handler = GatewayEventHandler()
        now = utc_now()
        # One global order (per-partition order kept): replicas that briefly hold the same
        # partitions during a rebalance then take row locks in the same order, never a cycle.
        records = sorted(records, key=lambda r: (r.topic, r.partition, r.offset))
        try:
            async with pool().acquire() as conn, conn.transaction():
                outcome = await ingest_batch(
                    conn, records, handler, consumer_name=consumer_name, now=now
                )
                await handler.flush(conn, now=now)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            # Pause so a database outage does not become a hot redelivery loop.
            log.error(
                "ingest_failed_will_redeliver",
                error=repr(exc),
                detail=getattr(exc, "detail", None),
                records=len(records),
            )
            await asyncio.sleep(1.0)
            raise
        if on_results is not None:
            on_results(handler.results_seen)
        log.debug(
            "ingested",
            records=len(records),
            stored=outcome.stored,
            duplicates=outcome.duplicates,
            dead_lettered=outcome.dead_lettered,
        )
