"""Driving reconciliations and push batches through the gateway, and editing QuickBooks as
its users do, for the scenarios."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import httpx

from tests.support import tenants
from tests.support.environment import QBO_CLIENT_ID, QBO_CLIENT_SECRET
from tests.support.factories import new_tenant
from tests.support.sandbox import SandboxAdmin


async def tenant_on(
    bootstrap: str, pool: asyncpg.Pool, realm: dict[str, Any], prefix: str | None, keys: str
) -> str:
    """A new tenant in One-Way Push on `realm`, numbering with `prefix`, P-1 mapped."""
    tenant = new_tenant()
    await tenants.connect(bootstrap, pool, tenant, realm, keys)
    await tenants.wait_gateway_connected(pool, tenant)  # the package's gateway refuses before
    await tenants.change_settings(
        bootstrap, pool, tenant, manual_push=True, invoice_number_prefix=prefix
    )
    await tenants.map_products(bootstrap, pool, tenant, {"P-1": realm["items"][0]["Id"]})
    return tenant


async def wait_until(
    api: httpx.AsyncClient, url: str, done: tuple[str, ...], timeout: float
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        body = (await api.get(url)).json()
        if body["state"] in done:
            return body
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.5)


async def reconcile(api: httpx.AsyncClient, tenant: str, timeout: float = 120) -> dict[str, Any]:
    started = await api.post(f"/v1/tenants/{tenant}/reconciliations", json={})
    assert started.status_code == 202, started.text
    run: dict[str, Any] = await wait_until(
        api, started.json()["links"]["status"], ("completed", "failed"), timeout
    )
    assert run["state"] == "completed", run
    return run


async def all_differences(api: httpx.AsyncClient, run: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = (await api.get(run["links"]["differences"], params=params)).json()
        rows.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return rows


async def push_and_wait(api: httpx.AsyncClient, tenant: str, ids: list[str]) -> dict[str, Any]:
    accepted = await api.post(
        f"/v1/tenants/{tenant}/push-batches", json={"invoice_ids": ids, "confirm_overwrite": True}
    )
    assert accepted.status_code == 202, accepted.text
    return await wait_for_batch(api, accepted.json()["links"]["status"])


async def wait_for_batch(api: httpx.AsyncClient, url: str) -> dict[str, Any]:
    batch: dict[str, Any] = await wait_until(api, url, ("completed", "completed_with_errors"), 240)
    return batch


async def user_token(
    sandbox: httpx.AsyncClient,
    realm_id: str,
    client: tuple[str, str] = (QBO_CLIENT_ID, QBO_CLIENT_SECRET),
) -> str:
    """An access token of a fresh authorisation, as a QuickBooks user's app would hold."""
    async with SandboxAdmin(str(sandbox.base_url)) as admin:
        refresh = await admin.reconnect(realm_id)
    answer = await sandbox.post(
        "/oauth2/v1/tokens/bearer",
        auth=client,
        data={"grant_type": "refresh_token", "refresh_token": refresh["refresh_token"]},
    )
    token: str = answer.json()["access_token"]
    return token


async def create_as_quickbooks_user(
    sandbox_url: str, realm_id: str, doc_number: str, item_id: str, amount: str
) -> dict[str, Any]:
    """An invoice typed straight into QuickBooks (the API, with a fresh authorisation)."""
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=10) as http:
        token = await user_token(http, realm_id)
        customer = (
            await http.post(
                f"/v3/company/{realm_id}/customer",
                json={"DisplayName": f"Walk-in {doc_number}"},
                headers={"Authorization": f"Bearer {token}"},
            )
        ).json()["Customer"]
        line = {
            "Amount": amount,
            "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": item_id}, "Qty": 1, "UnitPrice": amount},
        }
        answer = await http.post(
            f"/v3/company/{realm_id}/invoice",
            json={
                "CustomerRef": {"value": customer["Id"]},
                "DocNumber": doc_number,
                "Line": [line],
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        answer.raise_for_status()
        invoice: dict[str, Any] = answer.json()["Invoice"]
        return invoice
