"""SSE fan-out: the streams of one batch on a gateway share one reader, so ten clients cost
the database what one client costs; late and resuming clients still get every change once,
in order. Reads are counted by the gateway's `gateway_sse_reads_total`."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable

import httpx
import pytest

from services.gateway.cli.sse_client import ServerSentEvent
from tests.integration.gateway.helpers import ADMIN, push, wait_for_progress
from tests.integration.gateway.results import publish_results, result
from tests.integration.gateway.sse import EventCollector
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration

RESULTS = 4
CLIENTS = 10


async def _reads(client: httpx.AsyncClient) -> dict[str, float]:
    text = (await client.get("/metrics")).text
    found = re.findall(r'^gateway_sse_reads_total\{reader="(\w+)"\} ([0-9.e+]+)$', text, re.M)
    # Timed refreshes (`feed_refresh`) are per feed, not per stream, and depend on timing.
    counted = {k: float(v) for k, v in found if k in ("feed", "catch_up")}
    return {"feed": 0.0, "catch_up": 0.0} | counted


def _invoices(collector: EventCollector) -> list[tuple[str | None, str]]:
    return [
        (e.id, c["invoice"]["invoice_id"])
        for e, c in zip(
            [e for e in collector.events if e.event == "invoice"],
            collector.of("invoice"),
            strict=True,
        )
    ]


async def _follow_batch(
    client: httpx.AsyncClient, url: str, bootstrap: str, clients: int
) -> tuple[dict[str, float], list[EventCollector], list[str]]:
    """`clients` streams on a new batch, its results published one at a time (each waits until
    every stream has it); after two results a late client and one resuming from id 1 join."""
    tenant = new_tenant()
    ids = [f"fan-{i}" for i in range(RESULTS)]
    batch_id = (await push(client, tenant, ids)).json()["batch_id"]
    path = f"/v1/tenants/{tenant}/push-batches/{batch_id}/events"
    before = await _reads(client)
    streams = [EventCollector(url, path, headers=ADMIN) for _ in range(clients)]
    async with contextlib.AsyncExitStack() as stack:
        for stream in streams:
            await stack.enter_async_context(stream)
        for stream in streams:
            await stream.wait_for(lambda evs: len(evs) >= 1)
        for i, invoice_id in enumerate(ids):
            if i == 2:
                late = EventCollector(url, path, headers=ADMIN)
                resumed = EventCollector(url, path, headers=ADMIN, last_event_id="1")
                for joining in (late, resumed):
                    await stack.enter_async_context(joining)
                    await joining.wait_for(lambda evs: len(evs) >= 1)
                streams += [late, resumed]
            await publish_results(
                bootstrap, [result(tenant, batch_id, invoice_id, batch_size=RESULTS)]
            )
            for stream in streams:
                await stream.wait_for(_has_seq(i + 1))
        for stream in streams:
            await asyncio.wait_for(stream.finished.wait(), 15)
    after = await _reads(client)
    return {k: after[k] - before[k] for k in after}, streams, ids


def _has_seq(seq: int) -> Callable[[list[ServerSentEvent]], bool]:
    return lambda events: any(e.id == str(seq) for e in events)


async def test_ten_clients_cost_the_reads_of_one_and_each_gets_every_change_once(
    client: httpx.AsyncClient, running_gateway: object, kafka_bootstrap_servers: str
) -> None:
    url: str = running_gateway.url  # type: ignore[attr-defined]
    one, _, _ = await _follow_batch(client, url, kafka_bootstrap_servers, 1)
    many, streams, ids = await _follow_batch(client, url, kafka_bootstrap_servers, CLIENTS)

    # The feed's first read, then one read per result, whatever the number of streams.
    assert one == many == {"feed": RESULTS + 1, "catch_up": 0}
    everything = [(str(seq), invoice_id) for seq, invoice_id in enumerate(ids, start=1)]
    *live, late, resumed = streams
    for stream in live:
        assert [e.event for e in stream.events] == ["snapshot", *["invoice"] * RESULTS, "end"]
        assert stream.events[0].id == "0"
        assert _invoices(stream) == everything
    assert late.events[0].id == "2" and _invoices(late) == everything[2:]
    assert resumed.events[0].id is None and _invoices(resumed) == everything[1:]
    assert [e.event for e in late.events][-1] == [e.event for e in resumed.events][-1] == "end"


async def test_a_client_resuming_before_what_the_feed_holds_pages_the_log_itself(
    client: httpx.AsyncClient, running_gateway: object, kafka_bootstrap_servers: str
) -> None:
    url: str = running_gateway.url  # type: ignore[attr-defined]
    tenant = new_tenant()
    ids = [f"old-{i}" for i in range(RESULTS)]
    batch_id = (await push(client, tenant, ids)).json()["batch_id"]
    await publish_results(
        kafka_bootstrap_servers, [result(tenant, batch_id, i, batch_size=RESULTS) for i in ids]
    )
    await wait_for_progress(client, tenant, batch_id, lambda p: p["state"] == "completed")
    path = f"/v1/tenants/{tenant}/push-batches/{batch_id}/events"

    before = await _reads(client)
    # No stream watched the batch: its new feed starts at the last change.
    async with EventCollector(url, path, headers=ADMIN, last_event_id="1") as resumed:
        await asyncio.wait_for(resumed.finished.wait(), 15)
    after = await _reads(client)

    assert [e.event for e in resumed.events] == ["snapshot", *["invoice"] * 3, "end"]
    assert [seq for seq, _ in _invoices(resumed)] == ["2", "3", "4"]
    assert len({invoice_id for _, invoice_id in _invoices(resumed)}) == 3
    assert after["catch_up"] - before["catch_up"] == 1  # one page brought it to the feed
    assert after["feed"] - before["feed"] == 1  # the feed's first read
