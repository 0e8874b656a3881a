"""Connection status through HTTP: connecting -> the worker's reports (connected, broken,
disconnected); DELETE hands a disconnect to the worker; pushes (and dry runs) of tenants
without a working connection are refused 409 and publish nothing; other tenants get 404."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka.partitioner import DefaultPartitioner

from services.contract.connection_status import (
    ConnectionState,
    QuickBooksConnectionStatusChanged,
)
from services.contract.connections import QuickBooksDisconnectRequested
from services.contract.topics import Topic, tenant_key
from tests.integration.gateway.helpers import ADMIN, connect_tenant, mint_token
from tests.support.factories import new_tenant
from tests.support.kafka import TopicReader, produce

pytestmark = pytest.mark.integration


async def _status(client: httpx.AsyncClient, tenant: str, **kw: Any) -> httpx.Response:
    return await client.get(
        f"/v1/tenants/{tenant}/quickbooks-connection", **{"headers": ADMIN, **kw}
    )


async def _wait_status(client: httpx.AsyncClient, tenant: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        body: dict[str, Any] = (await _status(client, tenant)).json()
        if body["status"] == status:
            return body
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.25)


async def _report(bootstrap: str, tenant: str, state: ConnectionState, **extra: Any) -> None:
    event = QuickBooksConnectionStatusChanged(
        tenant_id=tenant, status=state, realm_id="4620816365", token_version=2, **extra
    )
    await produce(bootstrap, Topic.CONNECTION_STATUS, event, tenant_key(tenant))


def _on_same_partition(tenant: str, partitions: int = 6) -> str:
    """Another tenant whose events share `tenant`'s partition (TOPIC_PARTITIONS=6): once
    its event is consumed, every earlier event of `tenant` was too."""
    choose = DefaultPartitioner()
    every = list(range(partitions))
    target = choose(tenant_key(tenant), every, every)
    while True:
        other = new_tenant()
        if choose(tenant_key(other), every, every) == target:
            return other


def _push_body(**extra: Any) -> dict[str, Any]:
    return {"invoice_ids": ["n-1", "n-2"], "confirm_overwrite": True, **extra}


async def test_status_follows_the_workers_reports_and_broken_pushes_are_refused(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    await connect_tenant(client, tenant)
    connecting = (await _status(client, tenant)).json()
    assert connecting["status"] == "connecting" and connecting["realm_id"]
    rotated = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    await _report(
        kafka_bootstrap_servers,
        tenant,
        ConnectionState.CONNECTED,
        connected_at=rotated - timedelta(days=1),
        refresh_token_rotated_at=rotated,
    )
    connected = await _wait_status(client, tenant, "connected")
    assert connected["refresh_token_rotated_at"] == rotated.isoformat().replace("+00:00", "Z")
    assert connected["reason"] is None

    await _report(kafka_bootstrap_servers, tenant, ConnectionState.BROKEN, reason="invalid_grant")
    broken = await _wait_status(client, tenant, "broken")
    assert broken["reason"] == "invalid_grant"

    url = f"/v1/tenants/{tenant}/push-batches"
    async with TopicReader(kafka_bootstrap_servers, Topic.PUSH_REQUESTS) as reader:
        refused = await client.post(url, json=_push_body(), headers=ADMIN)
        dry = await client.post(url, json=_push_body(dry_run=True), headers=ADMIN)
        unconfirmed = await client.post(url, json={"invoice_ids": ["n-1"]}, headers=ADMIN)
        await reader.settle(3)
        assert [r for r in reader.records if r.json().get("tenant_id") == tenant] == []
    for response in (refused, dry, unconfirmed):
        assert response.status_code == 409, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["code"] == "not_connected" and body["connection_status"] == "broken"
        assert body["reason"] == "invalid_grant"
        assert body["connect"].endswith(f"/v1/tenants/{tenant}/quickbooks-connection")


async def test_never_connected_is_409_and_delete_hands_a_disconnect_to_the_worker(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    never = await client.post(
        f"/v1/tenants/{tenant}/push-batches", json=_push_body(), headers=ADMIN
    )
    assert never.status_code == 409 and never.json()["connection_status"] == "not_connected"
    assert (await _status(client, tenant)).json()["status"] == "not_connected"

    await connect_tenant(client, tenant)
    accepted = await client.post(
        f"/v1/tenants/{tenant}/push-batches", json=_push_body(), headers=ADMIN
    )
    assert accepted.status_code == 202, accepted.text

    admin = {"Authorization": f"Bearer {await mint_token(client, tenant, 'admin')}"}
    push_token = {"Authorization": f"Bearer {await mint_token(client, tenant, 'push')}"}
    url = f"/v1/tenants/{tenant}/quickbooks-connection"
    assert (await client.delete(url, headers=push_token)).status_code == 403
    async with TopicReader(kafka_bootstrap_servers, Topic.CONNECTIONS) as reader:
        deleted = await client.delete(url, headers=admin)
        assert deleted.status_code == 202 and deleted.json()["status"] == "not_connected"
        [record] = await reader.wait_for(
            lambda r: (
                r.json().get("tenant_id") == tenant
                and r.json().get("event_type") == "quickbooks.disconnect.requested"
            )
        )
    assert record.key == tenant_key(tenant)
    QuickBooksDisconnectRequested.model_validate_json(record.value)
    after = await client.post(
        f"/v1/tenants/{tenant}/push-batches", json=_push_body(), headers=ADMIN
    )
    assert after.status_code == 409

    # The worker confirms; an older report arriving late changes nothing.
    await _report(kafka_bootstrap_servers, tenant, ConnectionState.DISCONNECTED)
    stale = QuickBooksConnectionStatusChanged(
        tenant_id=tenant,
        status=ConnectionState.CONNECTED,
        token_version=1,
        occurred_at=datetime.now(UTC) - timedelta(hours=1),
    )
    await produce(kafka_bootstrap_servers, Topic.CONNECTION_STATUS, stale, tenant_key(tenant))
    marker = _on_same_partition(tenant)
    await _report(kafka_bootstrap_servers, marker, ConnectionState.CONNECTED)
    await _wait_status(client, marker, "connected")
    assert (await _status(client, tenant)).json()["status"] == "not_connected"


async def test_another_tenants_connection_is_404(client: httpx.AsyncClient) -> None:
    tenant_a, tenant_b = new_tenant(), new_tenant()
    await connect_tenant(client, tenant_b)
    admin_a = {"Authorization": f"Bearer {await mint_token(client, tenant_a, 'admin')}"}
    url_b = f"/v1/tenants/{tenant_b}/quickbooks-connection"
    assert (await client.get(url_b, headers=admin_a)).status_code == 404
    assert (await client.delete(url_b, headers=admin_a)).status_code == 404
    assert (await _status(client, tenant_b)).json()["status"] == "connecting"
