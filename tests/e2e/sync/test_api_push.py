"""Send to QuickBooks through the gateway's API, executed by the real worker against the
sandbox: the batch reaches 100% with exact counts and External Numbers."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import httpx
import pytest

from tests.e2e.sync.conftest import Company
from tests.support import tenants
from tests.support.environment import ADMIN_TOKEN
from tests.support.factories import invoice_created
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.e2e


async def test_push_through_the_api_reaches_100_percent_with_exact_counts(
    manual_company: Company,
    running_gateway: Any,
    sandbox: SandboxAdmin,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    company, tenant = manual_company, manual_company.tenant_id
    mapped = [invoice_created(tenant, number=f"API{i:03d}") for i in range(20)]
    unmapped = [invoice_created(tenant, number=f"APX{i:03d}", products=("P-2",)) for i in range(2)]
    events = mapped + unmapped
    await tenants.publish_invoices(kafka_bootstrap_servers, worker_pg_pool, events)
    ids = [e.invoice.invoice_id for e in events]
    await tenants.wait_gateway_connected(worker_pg_pool, tenant)
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(base_url=running_gateway.url, headers=headers) as api:
        accepted = await api.post(
            f"/v1/tenants/{tenant}/push-batches",
            json={"invoice_ids": ids, "confirm_overwrite": True},
        )
        assert accepted.status_code == 202, accepted.text
        status_url = accepted.json()["links"]["status"]
        deadline = time.monotonic() + 60
        while True:
            progress = (await api.get(status_url)).json()
            if progress["state"] in ("completed", "completed_with_errors"):
                break
            assert time.monotonic() < deadline, progress
            await asyncio.sleep(0.3)
        rows = (
            await api.get(f"{status_url}/invoices", params={"status": "failed", "limit": 50})
        ).json()["items"]
        sync_status = (await api.get(f"/v1/tenants/{tenant}/invoices/{ids[0]}/sync-status")).json()
    assert progress["state"] == "completed_with_errors"
    assert progress["counts"] == {
        "total": 22,
        "succeeded": 20,
        "failed": 2,
        "skipped": 0,
        "pending": 0,
    }
    assert sorted(r["invoice_id"] for r in rows) == sorted(ids[20:])
    assert {r["error"]["code"] for r in rows} == {"PRODUCT_NOT_MAPPED"}
    assert sync_status["external_number"] == "API000"
    live = await sandbox.live_invoices(company.realm_id)
    assert sorted(i["DocNumber"] for i in live) == [f"API{i:03d}" for i in range(20)]
