"""Stores a batch of consumed records in one transaction; bad records are dead-lettered.

The caller commits Kafka offsets only after this returns, so nothing is lost, and the
`processed_events` table makes a redelivered batch a no-op.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg
import structlog

from services.contract.catalog import ContractEvent
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


# Errors that say nothing about the event itself: the batch is redelivered later.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.TransactionRollbackError,
)


async def ingest_batch(
    conn: asyncpg.Connection,
    records: Sequence[RawRecord],
    handler: Callable[[], EventHandler],
    *,
    consumer_name: str,
    now: datetime,
) -> IngestOutcome:
    """`handler` makes a fresh handler (handlers may keep per-batch state)."""
    parsed: list[tuple[RawRecord, ContractEvent]] = []
    refused: list[tuple[RawRecord, ContractViolation]] = []
    for record in records:
        try:
            parsed.append((record, parse_event(record.topic, record.value)))
        except ContractViolation as error:
            refused.append((record, error))
        except Exception as exc:  # parse_event promises ContractViolation; never trust bytes
            unreadable = ContractViolation("Unreadable", f"{type(exc).__name__}: {exc}"[:500])
            refused.append((record, unreadable))
    batch = _Batch(parsed, refused, handler, consumer_name, now)
    try:
        return await _apply(conn, batch, isolate=False)
    except _HandlerFailed as failed:
        # Some event cannot be applied (e.g. a value PostgreSQL refuses). The batch was rolled
        # back; redo it in a fresh transaction event by event, dead-lettering the ones that
        # fail, so one bad event never blocks a partition.
        log.warning("ingest_batch_redone_event_by_event", error=repr(failed.__cause__)[:500])
        return await _apply(conn, batch, isolate=True)


@dataclass(frozen=True, slots=True)
class _Batch:
    parsed: Sequence[tuple[RawRecord, ContractEvent]]
    refused: Sequence[tuple[RawRecord, ContractViolation]]
    handler: Callable[[], EventHandler]
    consumer_name: str
    now: datetime


class _HandlerFailed(Exception):
    """The handler refused the batch for a reason that is not an outage."""


async def _apply(conn: asyncpg.Connection, batch: _Batch, *, isolate: bool) -> IngestOutcome:
    """One transaction: dedupe, apply, enqueue. No savepoint around the handler: its work is
    set-based, and a failure rolls the whole transaction back (see `ingest_batch`)."""
    outcome = IngestOutcome()
    async with conn.transaction():
        await _refuse(conn, batch, outcome)
        fresh = await _fresh(conn, batch.parsed, outcome)
        if isolate:
            outcome.messages.extend(await _one_by_one(conn, fresh, batch, outcome))
        else:
            try:
                applied = await batch.handler().handle_batch(
                    conn, [e for _, e in fresh], now=batch.now
                )
            except TRANSIENT_ERRORS:
                raise
            except Exception as exc:
                raise _HandlerFailed from exc
            outcome.messages.extend(applied)
        await enqueue(conn, outcome.messages)
    return outcome


async def _refuse(conn: asyncpg.Connection, batch: _Batch, outcome: IngestOutcome) -> None:
    """Dead-letters the records that are not contract events, each once: a batch redelivered
    after a rebalance finds them in `processed_events` by their identity."""
    identities = [record.identity() for record, _ in batch.refused]
    first_seen = await repository.mark_processed(
        conn, [(i, record.topic) for i, (record, _) in zip(identities, batch.refused, strict=True)]
    )
    for identity, (record, error) in zip(identities, batch.refused, strict=True):
        if identity in first_seen:
            _dead_letter(outcome, record, error, batch.consumer_name, batch.now)
        else:
            outcome.duplicates += 1
            outcome.by_topic[(record.topic, "duplicate")] += 1


async def _fresh(
    conn: asyncpg.Connection,
    parsed: Sequence[tuple[RawRecord, ContractEvent]],
    outcome: IngestOutcome,
) -> list[tuple[RawRecord, ContractEvent]]:
    """Records the batch's event ids; returns the events not seen before, counting both."""
    first_seen = await repository.mark_processed(
        conn, [(event.event_id, record.topic) for record, event in parsed]
    )
    fresh: list[tuple[RawRecord, ContractEvent]] = []
    for record, event in parsed:
        if event.event_id in first_seen:
            first_seen.discard(event.event_id)  # a repeat inside this batch is a duplicate
            fresh.append((record, event))
            outcome.stored += 1
            outcome.by_topic[(record.topic, "stored")] += 1
        else:
            outcome.duplicates += 1
            outcome.by_topic[(record.topic, "duplicate")] += 1
    return fresh


async def _one_by_one(
    conn: asyncpg.Connection,
    fresh: Sequence[tuple[RawRecord, ContractEvent]],
    batch: _Batch,
    outcome: IngestOutcome,
) -> list[OutboxMessage]:
    messages: list[OutboxMessage] = []
    for record, event in fresh:
        try:
            async with conn.transaction():
                messages.extend(await batch.handler().handle_batch(conn, [event], now=batch.now))
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:
            outcome.stored -= 1
            outcome.by_topic[(record.topic, "stored")] -= 1
            _dead_letter(
                outcome,
                record,
                ContractViolation(type(exc).__name__, f"could not be applied: {exc}"),
                batch.consumer_name,
                batch.now,
            )
    return messages


def _dead_letter(
    outcome: IngestOutcome,
    record: RawRecord,
    error: ContractViolation,
    consumer_name: str,
    now: datetime,
) -> None:
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
