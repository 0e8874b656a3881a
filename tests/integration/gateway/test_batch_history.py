"""Batch history through HTTP: newest first, counts, retry_of, state filter, cursors across
pages, and another tenant's history is 404."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.gateway.helpers import ADMIN, get_list, mint_token, push, wait_for_progress
from tests.integration.gateway.results import publish_results, result
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration


async def test_history_is_newest_first_with_counts_retry_of_and_state_filter(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    first = (await push(client, tenant, ["h-1", "h-2"])).json()["batch_id"]
    await publish_results(
        kafka_bootstrap_servers,
        [
            result(tenant, first, "h-1", batch_size=2),
            result(tenant, first, "h-2", "failed", batch_size=2),
        ],
    )
    await wait_for_progress(client, tenant, first, lambda p: p["state"] == "completed_with_errors")
    retry = await client.post(
        f"/v1/tenants/{tenant}/push-batches/{first}/retry-failed",
        json={"confirm_overwrite": True},
        headers=ADMIN,
    )
    assert retry.status_code == 202, retry.text
    second = retry.json()["batch_id"]
    third = (await push(client, tenant, ["h-3"])).json()["batch_id"]

    items = (await get_list(client, tenant, "push-batches")).json()["items"]
    assert [i["batch_id"] for i in items] == [third, second, first]
    assert items[1]["retry_of"] == first and items[0]["retry_of"] is None
    assert items[2]["counts"] == {
        "total": 2,
        "succeeded": 1,
        "failed": 1,
        "skipped": 0,
        "pending": 0,
    }
    assert items[2]["state"] == "completed_with_errors" and items[0]["state"] == "pending"

    done = (await get_list(client, tenant, "push-batches", state="completed_with_errors")).json()[
        "items"
    ]
    assert [i["batch_id"] for i in done] == [first]
    waiting = (await get_list(client, tenant, "push-batches", state="pending")).json()["items"]
    assert {i["batch_id"] for i in waiting} == {second, third}
    assert (await get_list(client, tenant, "push-batches", state="completed")).json()["items"] == []
    assert (await get_list(client, tenant, "push-batches", state="bogus")).status_code == 422


async def test_history_cursor_walks_every_page_once_and_other_tenants_are_404(
    client: httpx.AsyncClient,
) -> None:
    tenant, other = new_tenant(), new_tenant()
    created = [(await push(client, tenant, [f"k-{i}"])).json()["batch_id"] for i in range(7)]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = (await get_list(client, tenant, "push-batches", **params)).json()
        seen += [i["batch_id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(created))
    assert (await get_list(client, tenant, "push-batches", cursor="!!")).status_code == 400

    read_other = {"Authorization": f"Bearer {await mint_token(client, other, 'read')}"}
    cross = await get_list(client, tenant, "push-batches", headers=read_other)
    assert cross.status_code == 404 and created[0] not in cross.text
    assert (await get_list(client, other, "push-batches", headers=read_other)).json()["items"] == []
