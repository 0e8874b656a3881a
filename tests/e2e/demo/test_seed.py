"""`make seed` against the real worker, gateway, Kafka, PostgreSQL and sandbox: the tenant
it leaves is connected, its invoices wait in One-Way Push, and the push it suggests does
what it says (the invoices with the unmapped product fail, naming it; the rest reach
QuickBooks) with the token it wrote to its env file."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.local.seed import seed
from deploy.local.seed_data import PRODUCTS, UNMAPPED
from tests.support.environment import ADMIN_TOKEN
from tests.support.factories import new_tenant
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.e2e


async def _settled(api: httpx.AsyncClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        progress: dict[str, Any] = (await api.get(url)).json()
        if progress["counts"]["pending"] == 0:
            return progress
        assert time.monotonic() < deadline, f"the push never finished: {progress}"
        await asyncio.sleep(0.5)


async def test_the_seeded_tenant_can_push_as_the_seed_says(
    running_worker: Any,
    running_gateway: Any,
    service_env: dict[str, str],
    qbo_sandbox_url: str,
    tmp_path: Path,
) -> None:
    env = {**service_env, "GATEWAY_URL": running_gateway.url, "GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN}
    tenant = new_tenant()
    env_file = tmp_path / "seed.env"
    plan = await seed(env, tenant, env_file)

    written = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
    assert written["DEMO_TENANT"] == tenant and env_file.stat().st_mode & 0o077 == 0
    headers = {"Authorization": f"Bearer {written['GATEWAY_TOKEN']}"}
    async with httpx.AsyncClient(base_url=running_gateway.url, headers=headers) as api:
        connection = (await api.get(f"/v1/tenants/{tenant}/quickbooks-connection")).json()
        assert connection["status"] in ("connecting", "connected")
        accepted = await api.post(
            f"/v1/tenants/{tenant}/push-batches",
            json={"invoice_ids": plan.invoice_ids, "confirm_overwrite": True},
        )
        assert accepted.status_code == 202, accepted.text
        progress = await _settled(api, accepted.json()["links"]["status"])
        failed = await api.get(accepted.json()["links"]["invoices"], params={"status": "failed"})
    assert progress["counts"]["succeeded"] == len(plan.sendable_ids) == 10
    rows = failed.json()["items"]
    assert sorted(r["invoice_id"] for r in rows) == sorted(
        set(plan.invoice_ids) - set(plan.sendable_ids)
    )
    assert all(r["error"]["code"] == "PRODUCT_NOT_MAPPED" for r in rows)
    assert all(PRODUCTS[UNMAPPED][0] in r["error"]["message"] for r in rows)

    sandbox = SandboxAdmin(qbo_sandbox_url)
    try:
        realm = connection["realm_id"]
        numbers = sorted(i["DocNumber"] for i in await sandbox.live_invoices(realm))
    finally:
        await sandbox.aclose()
    sent = {e.invoice.number for e in plan.invoices if e.invoice.invoice_id in plan.sendable_ids}
    assert numbers == sorted(sent)
