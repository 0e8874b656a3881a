"""QuickBooks user edit -> signed webhook -> gateway -> Kafka -> worker -> MediaOS event."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from services.contract.topics import Topic, invoice_key
from tests.support import tenants
from tests.support.environment import ADMIN_TOKEN, WEBHOOK_VERIFIER
from tests.support.factories import invoice_created, new_tenant
from tests.support.kafka import Record, TopicReader, produce
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.e2e


def _for(tenant: str, invoice_id: str) -> Any:
    def match(r: Record) -> bool:
        body = r.json()
        return bool(body["tenant_id"] == tenant and body["invoice_id"] == invoice_id)

    return match


async def test_quickbooks_edit_flows_back_through_webhook_and_own_writes_do_not_echo(
    running_worker: object,
    running_gateway: Any,
    qbo_sandbox_url: str,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    sandbox = SandboxAdmin(qbo_sandbox_url)
    await sandbox.set_webhook(f"{running_gateway.url}/v1/webhooks/quickbooks", WEBHOOK_VERIFIER)
    realm = await sandbox.create_realm(items=[{"name": "Display Ad", "unit_price": "100.00"}])
    tenant = new_tenant()
    async with httpx.AsyncClient(base_url=running_gateway.url) as gateway:
        response = await gateway.put(
            f"/v1/tenants/{tenant}/quickbooks-connection",
            json={"realm_id": realm["realm_id"], "refresh_token": realm["refresh_token"]},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert response.status_code == 202, response.text
        assert realm["refresh_token"] not in response.text
    await tenants.wait_for_row(
        worker_pg_pool, "SELECT 1 FROM quickbooks_connections WHERE tenant_id = $1", tenant
    )
    await tenants.map_products(
        kafka_bootstrap_servers, worker_pg_pool, tenant, {"P-1": realm["items"][0]["Id"]}
    )
    created = invoice_created(tenant)
    invoice_id = created.invoice.invoice_id
    async with (
        TopicReader(kafka_bootstrap_servers, Topic.RESULTS) as results,
        TopicReader(kafka_bootstrap_servers, Topic.QUICKBOOKS_INVOICE_CHANGES) as changes,
        TopicReader(kafka_bootstrap_servers, Topic.QUICKBOOKS_WEBHOOKS) as webhooks,
    ):
        await produce(
            kafka_bootstrap_servers, Topic.INVOICES, created, invoice_key(tenant, invoice_id)
        )
        [result] = await results.wait_for(_for(tenant, invoice_id))
        external_id = result.json()["external_id"]
        # The sandbox notifies about our own create too: it must reach the worker and stop
        # there (no echo back to MediaOS).
        await webhooks.wait_for(lambda r: r.json()["tenant_id"] == tenant, timeout=30)
        await changes.settle(3.0)
        assert [r for r in changes.records if r.json()["tenant_id"] == tenant] == []

        await sandbox.edit_invoice(realm["realm_id"], external_id, {"DueDate": "2027-04-30"})
        [change] = await changes.wait_for(_for(tenant, invoice_id), timeout=30)
    await sandbox.aclose()
    body = change.json()
    assert body["event_type"] == "quickbooks.invoice.changed"
    assert body["source"] == "webhook"
    assert body["external_id"] == external_id
    assert body["realm_id"] == realm["realm_id"]
