"""The error inbox through HTTP: latest state per invoice (push and two-way), filters,
cursors across pages, retry by ids or filter (428 gate, a new batch), cross-tenant 404."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from services.contract.errors import ErrorCode
from services.contract.push import PushRequested
from services.contract.results import InvoiceSyncFailed, Operation, SyncError, Trigger
from services.contract.topics import Topic
from tests.integration.gateway.helpers import (
    ADMIN,
    connect_tenant,
    get_list,
    mint_token,
    push,
    wait_for_progress,
)
from tests.integration.gateway.results import publish_results, result
from tests.support.factories import new_tenant
from tests.support.kafka import TopicReader

pytestmark = pytest.mark.integration


def _auto_failure(tenant: str, invoice_id: str, code: ErrorCode) -> InvoiceSyncFailed:
    return InvoiceSyncFailed(
        tenant_id=tenant,
        invoice_id=invoice_id,
        invoice_version=2,
        trigger=Trigger.AUTO,
        operation=Operation.NONE,
        error=SyncError(
            code=code, message=f"{code.value}: fix it", retryable=False, details={"field": "x"}
        ),
    )


async def _wait_inbox(
    client: httpx.AsyncClient,
    tenant: str,
    predicate: Callable[[list[dict[str, Any]]], bool],
    **params: Any,
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 60
    while True:
        items: list[dict[str, Any]] = (
            await get_list(client, tenant, "invoices", limit=1000, **params)
        ).json()["items"]
        if predicate(items):
            return items
        assert time.monotonic() < deadline, items
        await asyncio.sleep(0.25)


async def test_inbox_lists_latest_states_of_pushes_and_two_way_sync(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    batch = (await push(client, tenant, ["p-1", "p-2", "p-3"])).json()["batch_id"]
    pending = await _wait_inbox(client, tenant, lambda i: len(i) == 3, status="pending")
    assert {i["invoice_id"] for i in pending} == {"p-1", "p-2", "p-3"}
    assert all(i["batch_id"] == batch and i["trigger"] == "push" for i in pending)

    await publish_results(
        kafka_bootstrap_servers,
        [
            result(tenant, batch, "p-1", batch_size=3),
            result(tenant, batch, "p-2", "failed", batch_size=3),
            result(
                tenant, batch, "p-3", "failed", batch_size=3, code=ErrorCode.QBO_DUPLICATE_NUMBER
            ),
            _auto_failure(tenant, "a-1", ErrorCode.QBO_INVALID_REFERENCE),
        ],
    )
    failed = await _wait_inbox(client, tenant, lambda i: len(i) == 3, status="failed")
    by_id = {i["invoice_id"]: i for i in failed}
    assert by_id["a-1"]["trigger"] == "auto" and by_id["a-1"]["batch_id"] is None
    assert by_id["a-1"]["error"] == {
        "code": "QBO_INVALID_REFERENCE",
        "message": "QBO_INVALID_REFERENCE: fix it",
        "retryable": False,
        "details": {"field": "x"},
    }
    assert by_id["p-3"]["error"]["code"] == "QBO_DUPLICATE_NUMBER"

    only_auto = (
        await get_list(client, tenant, "invoices", status="failed", trigger="auto")
    ).json()["items"]
    assert [i["invoice_id"] for i in only_auto] == ["a-1"]
    dup = (await get_list(client, tenant, "invoices", code="QBO_DUPLICATE_NUMBER")).json()["items"]
    assert [i["invoice_id"] for i in dup] == ["p-3"]
    ok = (await get_list(client, tenant, "invoices", status="succeeded")).json()["items"]
    assert [(i["invoice_id"], i["external_number"]) for i in ok] == [("p-1", "EXT-p-1")]
    future = "2999-01-01T00:00:00Z"
    assert (await get_list(client, tenant, "invoices", updated_since=future)).json()["items"] == []

    # A newer success replaces the failure: the inbox shows the latest state only.
    await publish_results(kafka_bootstrap_servers, [result(tenant, batch, "p-2", batch_size=3)])
    await _wait_inbox(client, tenant, lambda i: len(i) == 2, status="failed")


async def test_inbox_cursor_walks_every_page_once_and_bad_input_is_refused(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    ids = [f"c-{i:02d}" for i in range(23)]
    await publish_results(
        kafka_bootstrap_servers, [_auto_failure(tenant, i, ErrorCode.QBO_VALIDATION) for i in ids]
    )
    await _wait_inbox(client, tenant, lambda i: len(i) == 23)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        body = (await get_list(client, tenant, "invoices", **params)).json()
        seen += [i["invoice_id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 5 and sorted(seen) == ids and len(set(seen)) == 23
    times = [
        (i["updated_at"], i["invoice_id"])
        for i in (await get_list(client, tenant, "invoices")).json()["items"]
    ]
    assert times == sorted(times, reverse=True)

    bad_cursor = await get_list(client, tenant, "invoices", cursor="not-a-cursor")
    assert bad_cursor.status_code == 400
    assert bad_cursor.headers["content-type"].startswith("application/problem+json")
    assert (await get_list(client, tenant, "invoices", status="exploded")).status_code == 422
    assert (await get_list(client, tenant, "invoices", limit=0)).status_code == 422


async def test_retry_by_ids_and_by_filter_sends_a_new_batch_after_confirmation(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    await connect_tenant(client, tenant)
    await publish_results(
        kafka_bootstrap_servers,
        [
            _auto_failure(tenant, "f-1", ErrorCode.QBO_DUPLICATE_NUMBER),
            _auto_failure(tenant, "f-2", ErrorCode.QBO_DUPLICATE_NUMBER),
            _auto_failure(tenant, "f-3", ErrorCode.PRODUCT_NOT_MAPPED),
        ],
    )
    await _wait_inbox(client, tenant, lambda i: len(i) == 3, status="failed")
    url = f"/v1/tenants/{tenant}/invoices/retry"
    by_filter = {"filter": {"code": "QBO_DUPLICATE_NUMBER"}}

    unconfirmed = await client.post(url, json=by_filter, headers=ADMIN)
    assert unconfirmed.status_code == 428
    assert "overwrite any existing QuickBooks data" in unconfirmed.json()["warning"]
    both = await client.post(url, json={**by_filter, "invoice_ids": ["x"]}, headers=ADMIN)
    assert both.status_code == 422
    none = await client.post(
        url, json={"filter": {"code": "QBO_AUTH"}, "confirm_overwrite": True}, headers=ADMIN
    )
    assert none.status_code == 409

    async with TopicReader(kafka_bootstrap_servers, Topic.PUSH_REQUESTS) as reader:
        accepted = await client.post(
            url, json={**by_filter, "confirm_overwrite": True}, headers=ADMIN
        )
        assert accepted.status_code == 202, accepted.text
        batch = accepted.json()["batch_id"]
        [record] = await reader.wait_for(lambda r: r.json().get("batch_id") == batch)
        assert sorted(PushRequested.model_validate_json(record.value).invoice_ids) == ["f-1", "f-2"]

        by_ids = await client.post(
            url, json={"invoice_ids": ["f-3"], "confirm_overwrite": True}, headers=ADMIN
        )
        assert by_ids.status_code == 202 and by_ids.json()["total"] == 1
        second = by_ids.json()["batch_id"]
        [record] = await reader.wait_for(lambda r: r.json().get("batch_id") == second)
        assert PushRequested.model_validate_json(record.value).invoice_ids == ["f-3"]
    progress = await wait_for_progress(client, tenant, batch, lambda p: True)
    assert progress["counts"]["total"] == 2


async def test_another_tenants_inbox_is_404_and_read_may_not_retry(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant_a, tenant_b = new_tenant(), new_tenant()
    await connect_tenant(client, tenant_a)
    read_a = {"Authorization": f"Bearer {await mint_token(client, tenant_a, 'read')}"}
    await publish_results(
        kafka_bootstrap_servers, [_auto_failure(tenant_b, "secret-b", ErrorCode.QBO_VALIDATION)]
    )
    await _wait_inbox(client, tenant_b, lambda i: len(i) == 1)
    cross = await get_list(client, tenant_b, "invoices", headers=read_a)
    assert cross.status_code == 404 and "secret-b" not in cross.text
    cross_retry = await client.post(
        f"/v1/tenants/{tenant_b}/invoices/retry",
        json={"invoice_ids": ["secret-b"], "confirm_overwrite": True},
        headers=read_a,
    )
    assert cross_retry.status_code == 404
    own_retry = await client.post(
        f"/v1/tenants/{tenant_a}/invoices/retry",
        json={"invoice_ids": ["a"], "confirm_overwrite": True},
        headers=read_a,
    )
    assert own_retry.status_code == 403
    assert (await get_list(client, tenant_a, "invoices", headers=read_a)).json() == {
        "items": [],
        "next_cursor": None,
    }
