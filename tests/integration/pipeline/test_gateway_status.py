"""Results reach the gateway's database and its HTTP API (the External Number column)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.contract.results import InvoiceSyncSucceeded, Operation, Trigger
from services.contract.topics import Topic, invoice_key
from tests.support.environment import ADMIN_TOKEN
from tests.support.factories import new_tenant
from tests.support.kafka import produce

pytestmark = pytest.mark.integration


async def _poll_status(client: httpx.AsyncClient, path: str, timeout: float = 30) -> httpx.Response:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await client.get(path)
        if response.status_code == 200 or asyncio.get_running_loop().time() > deadline:
            return response
        await asyncio.sleep(0.3)


async def test_result_event_is_served_as_sync_status(
    running_gateway: object, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    result = InvoiceSyncSucceeded(
        tenant_id=tenant,
        invoice_id="inv-1",
        invoice_version=3,
        trigger=Trigger.AUTO,
        operation=Operation.CREATE,
        external_id="145",
        external_number="P-1001",
    )
    await produce(kafka_bootstrap_servers, Topic.RESULTS, result, invoice_key(tenant, "inv-1"))
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(base_url=running_gateway.url, headers=headers) as client:  # type: ignore[attr-defined]
        response = await _poll_status(client, f"/v1/tenants/{tenant}/invoices/inv-1/sync-status")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["external_number"] == "P-1001"
        assert body["external_id"] == "145"
        assert body["last_result"] == "invoice.sync.succeeded"
        assert body["last_synced_at"] is not None

        missing = await client.get(f"/v1/tenants/{tenant}/invoices/nope/sync-status")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert missing.json()["status"] == 404

        anonymous = await httpx.AsyncClient(base_url=running_gateway.url).get(  # type: ignore[attr-defined]
            f"/v1/tenants/{tenant}/invoices/inv-1/sync-status"
        )
        assert anonymous.status_code == 401
