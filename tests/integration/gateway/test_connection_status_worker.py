"""The real worker reports connection changes back to the gateway: a PUT becomes
`connected` once the worker stored the tokens; a DELETE destroys them in the worker."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import httpx
import pytest

from tests.integration.gateway.helpers import ADMIN
from tests.support.factories import new_tenant
from tests.support.services import worker_fixture

pytestmark = pytest.mark.integration

running_worker = worker_fixture()


async def _wait_status(client: httpx.AsyncClient, tenant: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        body: dict[str, Any] = (
            await client.get(f"/v1/tenants/{tenant}/quickbooks-connection", headers=ADMIN)
        ).json()
        if body["status"] == status:
            return body
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.25)


async def test_the_worker_confirms_connect_and_destroys_tokens_on_disconnect(
    client: httpx.AsyncClient, running_worker: object, worker_pg_pool: asyncpg.Pool
) -> None:
    tenant = new_tenant()
    url = f"/v1/tenants/{tenant}/quickbooks-connection"
    put = await client.put(
        url, json={"realm_id": "4620816365300001", "refresh_token": "rt-x"}, headers=ADMIN
    )
    assert put.status_code == 202
    connected = await _wait_status(client, tenant, "connected")
    assert connected["realm_id"] == "4620816365300001" and connected["connected_at"]
    query = "SELECT count(*) FROM quickbooks_connections WHERE tenant_id = $1"
    assert await worker_pg_pool.fetchval(query, tenant) == 1

    assert (await client.delete(url, headers=ADMIN)).status_code == 202
    deadline = time.monotonic() + 60
    while await worker_pg_pool.fetchval(query, tenant):
        assert time.monotonic() < deadline, "the worker never destroyed the tokens"
        await asyncio.sleep(0.25)
    body = await _wait_status(client, tenant, "not_connected")
    assert body["realm_id"] == "4620816365300001"
