"""A batch's shared feed on real PostgreSQL: a stream too slow for the feed's (small) buffer
pages the change log itself, then goes on from the buffer; every change once, in order."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest

from services.contract.common import utc_now
from services.gateway.batches import repository as repo
from services.gateway.batches.model import Counts
from services.gateway.cli.sse_client import ServerSentEvent, SseParser
from services.gateway.events.feed import BatchFeed, FeedRegistry
from services.gateway.events.notifier import ChangeNotifier
from services.gateway.events.stream import batch_event_stream
from services.platform.postgres import create_pool
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration

TOTAL = 10


@pytest.fixture
async def notifier(database_url: str) -> AsyncIterator[ChangeNotifier]:
    listener = ChangeNotifier(database_url, repo.CHANGES_CHANNEL)
    await listener.start()
    await asyncio.wait_for(listener.connected.wait(), 30)
    yield listener
    await listener.stop()


async def _create_batch(pool: asyncpg.Pool) -> tuple[str, uuid.UUID]:
    tenant, batch_id = new_tenant(), uuid.uuid4()
    async with pool.acquire() as conn:
        await repo.create_batch(
            conn,
            batch_id=batch_id,
            tenant_id=tenant,
            invoice_ids=[f"i-{n}" for n in range(1, TOTAL + 1)],
            origin="api",
            requested_by="tests",
            started_at=utc_now(),
            now=utc_now(),
        )
    return tenant, batch_id


async def _commit_change(pool: asyncpg.Pool, batch_id: uuid.UUID, seq: int) -> None:
    """What a consumed result does: a change row, the batch's progress and a NOTIFY."""
    payload = json.dumps({"seq": seq, "invoice": {"invoice_id": f"i-{seq}"}})
    async with pool.acquire() as conn, conn.transaction():
        await repo.lock_batch(conn, batch_id)
        await repo.append_changes(conn, batch_id, [(seq, "invoice", payload)])
        await repo.save_progress(
            conn,
            batch_id=batch_id,
            counts=Counts(succeeded=seq),
            last_seq=seq,
            complete=seq == TOTAL,
            now=utc_now(),
            had_results=True,
        )


async def _until(feed: BatchFeed, predicate: Callable[[BatchFeed], bool]) -> None:
    async with asyncio.timeout(30):
        while not predicate(feed):
            await asyncio.sleep(0.05)


def _parse(chunks: list[str]) -> list[ServerSentEvent]:
    parser = SseParser()
    events = [parser.feed(line) for line in "".join(chunks).split("\n")]
    return [e for e in events if e is not None]


async def test_a_stream_evicted_from_the_buffer_catches_up_from_the_log(
    gateway_pg_pool: asyncpg.Pool, notifier: ChangeNotifier
) -> None:
    tenant, batch_id = await _create_batch(gateway_pg_pool)
    feeds = FeedRegistry(
        gateway_pg_pool, notifier, capacity=2, linger_seconds=0, refresh_seconds=3600
    )
    stream = batch_event_stream(
        feeds, tenant_id=tenant, batch_id=batch_id, last_event_id=None, keepalive_seconds=60
    )
    chunks = [await anext(stream), await anext(stream)]  # retry, snapshot
    async with feeds.open(tenant, batch_id) as feed:
        # The client reads nothing while six changes come and the buffer keeps two.
        for seq in range(1, 7):
            await _commit_change(gateway_pg_pool, batch_id, seq)
        await _until(feed, lambda f: f.buffer.last_seq == 6)
        assert feed.buffer.base_seq == 4 and feed.buffer.behind(0)
        chunks.append(await anext(stream))  # one page from the log: 1..6
        for seq in range(7, TOTAL + 1):
            await _commit_change(gateway_pg_pool, batch_id, seq)
        chunks += [chunk async for chunk in stream]
        reads = feed.reads

    events = _parse(chunks)
    assert [e.event for e in events] == ["snapshot", *["invoice"] * TOTAL, "end"]
    assert events[0].id == "0"
    assert [e.id for e in events[1:-1]] == [str(seq) for seq in range(1, TOTAL + 1)]
    assert [json.loads(e.data)["seq"] for e in events[1:-1]] == list(range(1, TOTAL + 1))
    assert json.loads(events[-1].data)["state"] == "completed"
    assert reads <= 1 + TOTAL  # reads coalesce; never one per change per stream
    assert len(feeds) == 0  # released by its last stream


async def test_an_unknown_batch_has_an_empty_feed_that_closes_at_once(
    gateway_pg_pool: asyncpg.Pool, notifier: ChangeNotifier
) -> None:
    feeds = FeedRegistry(gateway_pg_pool, notifier)
    async with feeds.open(new_tenant(), uuid.uuid4()) as feed:
        assert feed.row is None
    assert len(feeds) == 0


async def test_a_change_whose_notify_was_lost_arrives_with_the_timed_refresh(
    gateway_pg_pool: asyncpg.Pool, notifier: ChangeNotifier
) -> None:
    tenant, batch_id = await _create_batch(gateway_pg_pool)
    feeds = FeedRegistry(gateway_pg_pool, notifier, refresh_seconds=0.2, linger_seconds=0)
    stream = batch_event_stream(
        feeds, tenant_id=tenant, batch_id=batch_id, last_event_id=None, keepalive_seconds=60
    )
    chunks = [await anext(stream), await anext(stream)]  # retry, snapshot
    async with gateway_pg_pool.acquire() as conn:  # a change row without its NOTIFY
        await conn.execute(
            "INSERT INTO push_batch_changes (batch_id, seq, kind, payload) "
            "VALUES ($1, 1, 'invoice', '{\"seq\": 1}'::jsonb)",
            batch_id,
        )
        await conn.execute("UPDATE push_batches SET last_seq = 1 WHERE batch_id = $1", batch_id)
    async with asyncio.timeout(30):
        chunks.append(await anext(stream))
    await stream.aclose()

    events = _parse(chunks)
    assert [(e.event, e.id) for e in events] == [("snapshot", "0"), ("invoice", "1")]
    assert len(feeds) == 0


async def test_a_failed_first_read_raises_its_own_error_and_leaves_no_feed(
    database_url: str, notifier: ChangeNotifier
) -> None:
    pool = await create_pool(database_url, "gateway", max_size=1)
    await pool.close()  # every acquire now fails as in an outage
    feeds = FeedRegistry(pool, notifier)
    with pytest.raises(asyncpg.InterfaceError):  # the error guard maps it to 503
        async with feeds.open(new_tenant(), uuid.uuid4()):
            pass
    assert len(feeds) == 0
