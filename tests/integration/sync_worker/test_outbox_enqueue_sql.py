"""`outbox.enqueue`: one statement keeps the given order, stores keys, values and headers as
given, parks what Kafka would refuse in the same transaction, and wakes the relay at commit."""

from __future__ import annotations

import json

import asyncpg
import pytest

from services.contract.limits import MAX_MESSAGE_BYTES
from services.platform.outbox import OutboxMessage, enqueue
from services.platform.outbox.store import NOTIFY_CHANNEL
from tests.integration.sync_worker.notify import assert_notified_at_commit
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration


async def test_rows_keep_their_order_and_content(conn: asyncpg.Connection) -> None:
    marker = new_tenant()
    messages = [
        OutboxMessage(f"topic-{marker}", None if n % 3 == 0 else f"k{n}".encode(),
                      f"{marker}:{n}".encode(), [("n", str(n)), ("nul", "a\x00b")])
        for n in range(50)
    ]  # fmt: skip
    await enqueue(conn, messages)
    rows = await conn.fetch(
        "SELECT topic, key, value, headers FROM outbox WHERE topic = $1 ORDER BY id",
        f"topic-{marker}",
    )
    assert [(r["topic"], r["key"], r["value"]) for r in rows] == [
        (m.topic, m.key, m.value) for m in messages
    ]
    assert json.loads(rows[7]["headers"]) == [["n", "7"], ["nul", "a\\u0000b"]]


async def test_a_row_too_large_for_kafka_is_parked_and_the_rest_enqueued(
    conn: asyncpg.Connection,
) -> None:
    topic = f"topic-{new_tenant()}"
    small = OutboxMessage(topic, b"k", b"ok")
    huge = OutboxMessage(topic, b"k", b"x" * (MAX_MESSAGE_BYTES + 1))
    await enqueue(conn, [small, huge, small])
    queued = await conn.fetch("SELECT value FROM outbox WHERE topic = $1", topic)
    parked = await conn.fetch("SELECT reason FROM parked_messages WHERE topic = $1", topic)
    assert [r["value"] for r in queued] == [b"ok", b"ok"]
    assert [r["reason"].split(":")[0] for r in parked] == ["too_large"]


async def test_the_relay_is_woken_when_the_rows_commit(worker_pg_pool: asyncpg.Pool) -> None:
    topic = f"topic-{new_tenant()}"
    try:
        await assert_notified_at_commit(
            worker_pg_pool,
            NOTIFY_CHANNEL,
            lambda conn: enqueue(conn, [OutboxMessage(topic, None, b"v")]),
        )
    finally:
        await worker_pg_pool.execute("DELETE FROM outbox WHERE topic = $1", topic)
