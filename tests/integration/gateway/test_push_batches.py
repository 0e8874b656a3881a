"""Pushing through the API and following the batch, against the real gateway process."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.contract.push import PushRequested
from services.contract.topics import Topic, tenant_key
from tests.integration.gateway.helpers import (
    ADMIN,
    connect_tenant,
    drain_partitions,
    push,
    wait_for_progress,
)
from tests.integration.gateway.results import publish_results, result
from tests.support.factories import new_tenant
from tests.support.kafka import TopicReader, produce, produce_many

pytestmark = pytest.mark.integration

WARNING = "Sending will overwrite any existing QuickBooks data associated with these invoices"


def _is_push_for(tenant: str):  # type: ignore[no-untyped-def]
    return lambda r: r.json().get("tenant_id") == tenant


async def test_push_without_confirmation_is_refused_and_sends_nothing(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    await connect_tenant(client, tenant)
    async with TopicReader(kafka_bootstrap_servers, Topic.PUSH_REQUESTS) as reader:
        response = await client.post(
            f"/v1/tenants/{tenant}/push-batches", json={"invoice_ids": ["a", "b"]}, headers=ADMIN
        )
        assert response.status_code == 428, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert WARNING in body["warning"]
        assert body["status"] == 428
        refused = await client.post(
            f"/v1/tenants/{tenant}/push-batches",
            json={"invoice_ids": ["a"], "confirm_overwrite": False},
            headers=ADMIN,
        )
        assert refused.status_code == 428
        await reader.settle(3)
        assert [r for r in reader.records if _is_push_for(tenant)(r)] == []


async def test_push_publishes_one_request_and_reaches_100_percent(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    ids = [f"inv-{i}" for i in range(5)]
    async with TopicReader(kafka_bootstrap_servers, Topic.PUSH_REQUESTS) as reader:
        response = await push(client, tenant, ids)
        assert response.status_code == 202, response.text
        accepted = response.json()
        batch_id = accepted["batch_id"]
        assert accepted["total"] == 5
        assert accepted["state"] == "pending"
        links = accepted["links"]
        assert links["status"].endswith(f"/v1/tenants/{tenant}/push-batches/{batch_id}")
        assert links["events"].endswith("/events") and links["invoices"].endswith("/invoices")
        assert f"/batches/{batch_id}?" in links["page"] and "access_token=mqp_" in links["page"]
        assert response.headers["location"] == links["status"]

        records = await reader.wait_for(_is_push_for(tenant))
        await reader.settle(2)
        records = [r for r in reader.records if _is_push_for(tenant)(r)]
        assert len(records) == 1
        event = PushRequested.model_validate_json(records[0].value)
        assert str(event.batch_id) == batch_id
        assert event.invoice_ids == ids
        assert records[0].key == tenant_key(tenant)

    # Its own push.requested comes back through Kafka: once a later request on the same
    # partition (same tenant key) is tracked, it was consumed, and changed nothing.
    later = PushRequested(
        tenant_id=tenant, batch_id=uuid.uuid4(), invoice_ids=["x"], requested_by="core"
    )
    await produce(kafka_bootstrap_servers, Topic.PUSH_REQUESTS, later, tenant_key(tenant))
    await wait_for_progress(client, tenant, str(later.batch_id), lambda p: True)
    pending = await wait_for_progress(client, tenant, batch_id, lambda p: True)
    assert pending["origin"] == "api" and pending["last_event_id"] == 0
    assert pending["state"] == "pending"
    assert pending["counts"] == {
        "total": 5,
        "succeeded": 0,
        "failed": 0,
        "skipped": 0,
        "pending": 5,
    }

    statuses = ["succeeded", "succeeded", "failed", "skipped", "succeeded"]
    events = [
        result(tenant, batch_id, i, s, batch_size=5) for i, s in zip(ids, statuses, strict=True)
    ]
    await publish_results(kafka_bootstrap_servers, events[:2])
    running = await wait_for_progress(client, tenant, batch_id, lambda p: p["state"] == "running")
    assert running["counts"]["pending"] in (3, 4)

    await publish_results(kafka_bootstrap_servers, events[2:])
    done = await wait_for_progress(
        client, tenant, batch_id, lambda p: p["state"].startswith("completed")
    )
    assert done["state"] == "completed_with_errors"
    assert done["percent"] == 100.0
    assert done["counts"] == {"total": 5, "succeeded": 3, "failed": 1, "skipped": 1, "pending": 0}
    assert done["completed_at"] is not None and done["eta_seconds"] is None

    rows = (
        await client.get(f"/v1/tenants/{tenant}/push-batches/{batch_id}/invoices", headers=ADMIN)
    ).json()
    assert [r["invoice_id"] for r in rows["items"]] == ids
    assert rows["items"][0]["external_number"] == "EXT-inv-0"
    failed = rows["items"][2]
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "PRODUCT_NOT_MAPPED"
    assert failed["error"]["message"] == "PRODUCT_NOT_MAPPED for inv-2"

    # A redelivered result (same event) and a stale one for the same invoice change nothing.
    await publish_results(kafka_bootstrap_servers, [events[0], events[2]])
    stale = result(tenant, batch_id, "inv-2", "succeeded", batch_size=5).model_copy(
        update={"occurred_at": events[2].occurred_at.replace(year=2020)}
    )
    await publish_results(kafka_bootstrap_servers, [stale])
    await drain_partitions(client, kafka_bootstrap_servers, tenant, ["inv-0", "inv-2"])
    again = await wait_for_progress(client, tenant, batch_id, lambda p: True)
    assert again["counts"] == done["counts"]
    assert again["last_event_id"] == done["last_event_id"] == 5


async def test_batch_published_by_mediaos_core_is_tracked(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant, batch_id = new_tenant(), uuid.uuid4()
    ids = ["m-1", "m-2", "m-3"]
    request = PushRequested(
        tenant_id=tenant, batch_id=batch_id, invoice_ids=ids, requested_by="mediaos-user-7"
    )
    await produce(kafka_bootstrap_servers, Topic.PUSH_REQUESTS, request, tenant_key(tenant))
    tracked = await wait_for_progress(client, tenant, str(batch_id), lambda p: True)
    assert tracked["origin"] == "kafka"
    assert tracked["requested_by"] == "mediaos-user-7"
    assert tracked["counts"]["total"] == 3 and tracked["counts"]["pending"] == 3

    await publish_results(
        kafka_bootstrap_servers, [result(tenant, batch_id, i, batch_size=3) for i in ids]
    )
    done = await wait_for_progress(
        client, tenant, str(batch_id), lambda p: p["state"] == "completed"
    )
    assert done["counts"]["succeeded"] == 3


async def test_results_arriving_before_their_request_are_counted_once(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant, batch_id = new_tenant(), uuid.uuid4()
    ids = [f"early-{i}" for i in range(4)]
    early = [
        result(tenant, batch_id, ids[0], batch_size=4),
        result(tenant, batch_id, ids[1], "failed", batch_size=4),
    ]
    await publish_results(kafka_bootstrap_servers, early)
    seen = await wait_for_progress(
        client,
        tenant,
        str(batch_id),
        lambda p: p["counts"]["succeeded"] + p["counts"]["failed"] == 2,
    )
    assert seen["origin"] == "result"
    assert seen["counts"]["total"] == 4 and seen["counts"]["pending"] == 2

    request = PushRequested(
        tenant_id=tenant, batch_id=batch_id, invoice_ids=ids, requested_by="core"
    )
    await produce_many(
        kafka_bootstrap_servers,
        Topic.PUSH_REQUESTS,
        [(tenant_key(tenant), request), (tenant_key(tenant), request)],
    )
    await publish_results(
        kafka_bootstrap_servers,
        [*early, *(result(tenant, batch_id, i, batch_size=4) for i in ids[2:])],
    )
    done = await wait_for_progress(
        client, tenant, str(batch_id), lambda p: p["state"] == "completed_with_errors"
    )
    assert done["counts"] == {"total": 4, "succeeded": 3, "failed": 1, "skipped": 0, "pending": 0}
    assert done["requested_by"] == "core"
    rows = (
        await client.get(f"/v1/tenants/{tenant}/push-batches/{batch_id}/invoices", headers=ADMIN)
    ).json()
    assert [r["invoice_id"] for r in rows["items"]] == ids
