"""Helpers for tests that drive a real gateway process over HTTP and Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from services.contract.errors import ErrorCode
from services.contract.results import InvoiceSyncSucceeded, Operation, Trigger
from tests.integration.gateway.results import publish_results, result
from tests.support.environment import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


async def mint_token(client: httpx.AsyncClient, tenant_id: str, role: str) -> str:
    response = await client.post(
        f"/v1/tenants/{tenant_id}/tokens", json={"role": role}, headers=ADMIN
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


async def connect_tenant(client: httpx.AsyncClient, tenant_id: str) -> None:
    """Connects the tenant through the API (pushes of unconnected tenants answer 409); a
    realm of its own, so webhook routing stays per test. Invalid tenant ids are left alone."""
    realm = str(uuid.uuid5(uuid.NAMESPACE_URL, tenant_id).int % 10**16)
    await client.put(
        f"/v1/tenants/{tenant_id}/quickbooks-connection",
        json={"realm_id": realm, "refresh_token": "rt-for-tests"},
        headers=ADMIN,
    )


async def get_list(
    client: httpx.AsyncClient,
    tenant_id: str,
    resource: str,
    headers: dict[str, str] | None = None,
    **params: Any,
) -> httpx.Response:
    """One page of a tenant's list (`invoices`, `push-batches`), as the operator unless
    `headers` name another caller."""
    return await client.get(
        f"/v1/tenants/{tenant_id}/{resource}", params=params, headers=headers or ADMIN
    )


async def push(
    client: httpx.AsyncClient, tenant_id: str, invoice_ids: list[str], **extra: Any
) -> httpx.Response:
    await connect_tenant(client, tenant_id)
    return await post_push(client, tenant_id, invoice_ids, ADMIN, **extra)


async def post_push(
    client: httpx.AsyncClient,
    tenant_id: str,
    invoice_ids: list[str],
    headers: dict[str, str],
    **extra: Any,
) -> httpx.Response:
    """A confirmed push as the caller `headers` name; unlike `push`, connects nothing first."""
    body = {"invoice_ids": invoice_ids, "confirm_overwrite": True, **extra}
    return await client.post(f"/v1/tenants/{tenant_id}/push-batches", json=body, headers=headers)


async def wait_for_progress(
    client: httpx.AsyncClient,
    tenant_id: str,
    batch_id: str,
    predicate: Callable[[dict[str, Any]], bool],
    *,
    timeout: float = 60.0,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        response = await client.get(
            f"/v1/tenants/{tenant_id}/push-batches/{batch_id}", headers=headers or ADMIN
        )
        if response.status_code == 200:
            last = response.json()
            if predicate(last):
                return dict(last)
        else:
            last = response.text
        await asyncio.sleep(0.25)
    raise AssertionError(f"progress never matched within {timeout}s; last: {last}")


async def settled_batch(
    client: httpx.AsyncClient,
    bootstrap: str,
    tenant_id: str,
    statuses: dict[str, str],
    *,
    code: ErrorCode = ErrorCode.PRODUCT_NOT_MAPPED,
) -> str:
    """Pushes the invoices, publishes a result of the given status for each (failures with
    `code`) and returns the batch id once the gateway shows none of them pending."""
    accepted = await push(client, tenant_id, list(statuses))
    assert accepted.status_code == 202, accepted.text
    batch: str = accepted.json()["batch_id"]
    size = len(statuses)
    events = [
        result(tenant_id, batch, i, s, batch_size=size, code=code) for i, s in statuses.items()
    ]
    await publish_results(bootstrap, events)
    await wait_for_progress(client, tenant_id, batch, lambda p: p["counts"]["pending"] == 0)
    return batch


@contextlib.asynccontextmanager
async def gateway_client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield client


async def drain_partitions(
    client: httpx.AsyncClient, bootstrap: str, tenant_id: str, invoice_ids: list[str]
) -> None:
    """Returns once everything published so far under these invoices' keys was consumed.

    An automatic-sync result on the same key lands on the same partition, after the
    earlier records; once the sync-status route shows it, the earlier ones were applied.
    """
    markers = {
        i: InvoiceSyncSucceeded(
            tenant_id=tenant_id,
            invoice_id=i,
            trigger=Trigger.AUTO,
            operation=Operation.UPDATE,
            external_number=f"MARK-{uuid.uuid4().hex[:8]}",
        )
        for i in invoice_ids
    }
    await publish_results(bootstrap, list(markers.values()))
    deadline = time.monotonic() + 60
    for invoice_id, marker in markers.items():
        while True:
            response = await client.get(
                f"/v1/tenants/{tenant_id}/invoices/{invoice_id}/sync-status", headers=ADMIN
            )
            if response.status_code == 200 and (
                response.json()["external_number"] == marker.external_number
            ):
                break
            assert time.monotonic() < deadline, f"marker for {invoice_id} never consumed"
            await asyncio.sleep(0.2)
