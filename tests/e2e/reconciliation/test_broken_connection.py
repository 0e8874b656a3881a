"""A reconciliation of a tenant whose QuickBooks connection is broken fails with the reason
(reconnect), instead of completing with every invoice "not sendable" as if it had never
connected: nothing could be compared, and the report must not look like an answer."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.e2e.reconciliation.api import wait_until
from tests.support import tenants
from tests.support.environment import ENCRYPTION_KEY
from tests.support.factories import invoice_created, new_tenant
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.e2e


async def test_a_broken_connection_fails_the_run_with_qbo_auth(
    admin_api: httpx.AsyncClient,
    sandbox: SandboxAdmin,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    realm = await sandbox.create_realm(items=[{"name": "Display Ad", "unit_price": "100.00"}])
    tenant = new_tenant()
    await tenants.connect(kafka_bootstrap_servers, worker_pg_pool, tenant, realm, ENCRYPTION_KEY)
    await tenants.publish_invoices(
        kafka_bootstrap_servers, worker_pg_pool, [invoice_created(tenant, number="7300")]
    )
    # As the worker leaves it when QuickBooks refuses the refresh token (a revoked app).
    await worker_pg_pool.execute(
        "UPDATE quickbooks_connections SET status = 'broken', broken_reason = 'invalid_grant'"
        " WHERE tenant_id = $1",
        tenant,
    )
    started = await admin_api.post(f"/v1/tenants/{tenant}/reconciliations", json={})
    assert started.status_code == 202, started.text
    run = await wait_until(
        admin_api, started.json()["links"]["status"], ("completed", "failed"), 120
    )
    assert run["state"] == "failed", run
    assert "QBO_AUTH" in run["error"] and "invalid_grant" in run["error"], run
