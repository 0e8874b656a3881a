"""When a batch keeps failing, find the record that makes it fail and dead-letter it.

`ingest_batch` dead-letters what it can recognise as bad. Anything else that fails the same
batch MAX_BATCH_FAILURES times in a row, while PostgreSQL answers, is taken as caused by a
record's content: the batch is then ingested one record at a time, and a record that fails
on its own is dead-lettered with the error, so no partition waits on it forever.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import asyncpg
import structlog

from services.contract.parsing import ContractViolation
from services.platform.ingest.dead_letter import dead_letter
from services.platform.ingest.ports import EventHandler
from services.platform.ingest.records import RawRecord
from services.platform.ingest.service import TRANSIENT_ERRORS, IngestOutcome, ingest_batch
from services.platform.outbox import enqueue

log = structlog.get_logger(__name__)

MAX_BATCH_FAILURES = 5


class FailureCounter:
    """Consecutive failures per batch, keyed by the batch's first record position."""

    def __init__(self, limit: int = MAX_BATCH_FAILURES, capacity: int = 1024) -> None:
        self.limit = limit
        self._capacity = capacity
        self._counts: dict[tuple[str, int, int], int] = {}

    def failed(self, records: Sequence[RawRecord]) -> bool:
        """Counts one failure; True when the batch has now failed `limit` times."""
        key = _position(records)
        if len(self._counts) >= self._capacity:
            self._counts.clear()
        self._counts[key] = self._counts.get(key, 0) + 1
        return self._counts[key] >= self.limit

    def succeeded(self, records: Sequence[RawRecord]) -> None:
        self._counts.pop(_position(records), None)


def _position(records: Sequence[RawRecord]) -> tuple[str, int, int]:
    first = records[0]
    return (first.topic, first.partition, first.offset)


def is_outage(error: BaseException) -> bool:
    """Errors that say the database is away, never that a record is bad."""
    return isinstance(error, TRANSIENT_ERRORS)


async def ingest_isolating(
    conn: asyncpg.Connection,
    records: Sequence[RawRecord],
    handler: Callable[[], EventHandler],
    *,
    consumer_name: str,
    now: datetime,
    attempts: int,
) -> IngestOutcome:
    total = IngestOutcome()
    for record in records:
        try:
            one = await ingest_batch(conn, [record], handler, consumer_name=consumer_name, now=now)
        except Exception as exc:
            if is_outage(exc):
                raise
            error = ContractViolation(
                "ApplyFailed", f"failed {attempts} times in a row: {type(exc).__name__}: {exc}"
            )
            log.error(
                "event_dead_lettered_after_retries",
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                error=repr(exc)[:500],
            )
            async with conn.transaction():
                await enqueue(conn, [dead_letter(record, error, failed_by=consumer_name, at=now)])
            total.dead_lettered += 1
            total.by_topic[(record.topic, "dead_lettered")] += 1
            continue
        total.stored += one.stored
        total.duplicates += one.duplicates
        total.dead_lettered += one.dead_lettered
        total.by_topic.update(one.by_topic)
    return total
