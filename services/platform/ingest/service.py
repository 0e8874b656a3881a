"""Stores a batch of consumed records in one transaction; bad records are dead-lettered.

The caller commits Kafka offsets only after this returns, so nothing is lost, and the
`processed_events` table makes a redelivered batch a no-op.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import structlog

from services.contract.parsing import ContractViolation, parse_event
from services.platform.ingest import repository
from services.platform.ingest.dead_letter import dead_letter
from services.platform.ingest.ports import EventHandler
from services.platform.ingest.records import RawRecord
from services.platform.outbox import OutboxMessage, enqueue

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class IngestOutcome:
    stored: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    messages: list[OutboxMessage] = field(default_factory=list)
    by_topic: Counter[tuple[str, str]] = field(default_factory=Counter)


async def ingest_batch(
    conn: asyncpg.Connection,
    records: Sequence[RawRecord],
    handler: EventHandler,
    *,
    consumer_name: str,
    now: datetime,
) -> IngestOutcome:
    outcome = IngestOutcome()
    parsed: list[tuple[RawRecord, Any]] = []
    for record in records:
        try:
            parsed.append((record, parse_event(record.topic, record.value)))
        except ContractViolation as error:
            log.warning(
                "event_dead_lettered",
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                error_class=error.error_class,
                reason=error.message,
            )
            outcome.messages.append(dead_letter(record, error, failed_by=consumer_name, at=now))
            outcome.dead_lettered += 1
            outcome.by_topic[(record.topic, "dead_lettered")] += 1
    async with conn.transaction():
        first_seen = await repository.mark_processed(
            conn, [(event.event_id, record.topic) for record, event in parsed]
        )
        fresh: list[Any] = []
        for record, event in parsed:
            if event.event_id in first_seen:
                first_seen.discard(event.event_id)  # a repeat inside this batch is a duplicate
                fresh.append(event)
                outcome.stored += 1
                outcome.by_topic[(record.topic, "stored")] += 1
            else:
                outcome.duplicates += 1
                outcome.by_topic[(record.topic, "duplicate")] += 1
        outcome.messages.extend(await handler.handle_batch(conn, fresh, now=now))
        await enqueue(conn, outcome.messages)
    return outcome
