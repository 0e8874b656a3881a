"""The batch's server-sent events: snapshot, per-invoice changes, end, Last-Event-ID."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.integration.gateway.helpers import ADMIN, push, wait_for_progress
from tests.integration.gateway.results import publish_results, result
from tests.integration.gateway.sse import EventCollector
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration


async def test_stream_sends_snapshot_changes_and_end_then_replays_from_last_event_id(
    client: httpx.AsyncClient, running_gateway: object, kafka_bootstrap_servers: str
) -> None:
    url: str = running_gateway.url  # type: ignore[attr-defined]
    tenant = new_tenant()
    ids = [f"s-{i}" for i in range(6)]
    batch_id = (await push(client, tenant, ids)).json()["batch_id"]
    path = f"/v1/tenants/{tenant}/push-batches/{batch_id}/events"

    async with EventCollector(url, path, headers=ADMIN) as live:
        await live.wait_for(lambda evs: len(evs) >= 1)
        first = live.events[0]
        assert first.event == "snapshot" and first.id == "0"
        assert live.of("snapshot")[0]["counts"]["pending"] == 6
        for i, invoice_id in enumerate(ids):
            status = "failed" if i == 4 else "succeeded"
            await publish_results(
                kafka_bootstrap_servers,
                [result(tenant, batch_id, invoice_id, status, batch_size=6)],
            )
            await asyncio.sleep(0.2)
        await live.wait_for(lambda evs: any(e.event == "end" for e in evs))
        await asyncio.wait_for(live.finished.wait(), 10)  # the server closes after `end`

    kinds = [e.event for e in live.events]
    assert kinds == ["snapshot", *["invoice"] * 6, "end"]
    ids_seen = [int(e.id or -1) for e in live.events if e.event == "invoice"]
    assert ids_seen == [1, 2, 3, 4, 5, 6]
    changes = live.of("invoice")
    assert sorted(c["invoice"]["invoice_id"] for c in changes) == sorted(ids)
    assert changes[-1]["counts"]["pending"] == 0
    assert [c["previous_status"] for c in changes] == ["pending"] * 6
    end = live.of("end")[0]
    assert end["state"] == "completed_with_errors" and end["percent"] == 100.0
    failed_change = next(c for c in changes if c["invoice"]["status"] == "failed")
    assert failed_change["invoice"]["error"]["code"] == "PRODUCT_NOT_MAPPED"

    async with EventCollector(url, path, headers=ADMIN, last_event_id="3") as resumed:
        await asyncio.wait_for(resumed.finished.wait(), 15)
    assert [e.event for e in resumed.events] == ["snapshot", "invoice", "invoice", "invoice", "end"]
    assert resumed.events[0].id is None  # a resumed snapshot keeps the client's position
    assert [e.id for e in resumed.events[1:4]] == ["4", "5", "6"]
    assert [c["invoice"]["invoice_id"] for c in resumed.of("invoice")] == [
        c["invoice"]["invoice_id"] for c in changes[3:]
    ]

    async with EventCollector(url, f"{path}?last_event_id=6", headers=ADMIN) as caught_up:
        await asyncio.wait_for(caught_up.finished.wait(), 15)
    assert [e.event for e in caught_up.events] == ["snapshot", "end"]


async def test_stream_opened_with_a_page_token_in_the_query(
    client: httpx.AsyncClient, running_gateway: object, kafka_bootstrap_servers: str
) -> None:
    url: str = running_gateway.url  # type: ignore[attr-defined]
    tenant = new_tenant()
    accepted = (await push(client, tenant, ["p-1"])).json()
    page_token = accepted["links"]["page"].split("access_token=")[1]
    path = (
        f"/v1/tenants/{tenant}/push-batches/{accepted['batch_id']}/events?access_token={page_token}"
    )
    async with EventCollector(url, path, headers={}) as stream:
        await stream.wait_for(lambda evs: len(evs) >= 1)
        await publish_results(
            kafka_bootstrap_servers, [result(tenant, accepted["batch_id"], "p-1", batch_size=1)]
        )
        await stream.wait_for(lambda evs: any(e.event == "end" for e in evs))
    assert [e.event for e in stream.events] == ["snapshot", "invoice", "end"]
    await wait_for_progress(
        client, tenant, accepted["batch_id"], lambda p: p["state"] == "completed"
    )

    refused = await client.get(f"{path.split('?')[0]}?access_token={ADMIN['Authorization'][7:]}")
    assert refused.status_code == 401
