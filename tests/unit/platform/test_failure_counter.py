"""A batch is isolated record by record only after failing the same way N times in a row."""

from __future__ import annotations

import asyncpg

from services.platform.ingest.isolation import FailureCounter, is_outage
from services.platform.ingest.records import RawRecord


def _batch(offset: int) -> list[RawRecord]:
    return [RawRecord("t", 0, offset, None, b"{}"), RawRecord("t", 0, offset + 1, None, b"{}")]


def test_the_same_batch_must_fail_limit_times_in_a_row() -> None:
    counter = FailureCounter(limit=3)
    assert not counter.failed(_batch(10))
    assert not counter.failed(_batch(10))
    assert not counter.failed(_batch(20)), "another batch counts on its own"
    assert counter.failed(_batch(10))


def test_success_resets_and_memory_stays_bounded() -> None:
    counter = FailureCounter(limit=2, capacity=4)
    counter.failed(_batch(10))
    counter.succeeded(_batch(10))
    assert not counter.failed(_batch(10))
    for offset in range(100, 200, 2):
        counter.failed(_batch(offset))
    assert len(counter._counts) <= 4


def test_a_database_outage_is_never_blamed_on_a_record() -> None:
    assert is_outage(ConnectionRefusedError())
    assert is_outage(asyncpg.exceptions.ConnectionDoesNotExistError())
    assert not is_outage(asyncpg.exceptions.CharacterNotInRepertoireError())
    assert not is_outage(ValueError("bad content"))
