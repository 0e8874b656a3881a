"""Retrying failed invoices, the dry-run pre-flight, and keyset pagination."""

from __future__ import annotations

import httpx
import pytest

from services.contract.errors import ErrorCode
from services.contract.push import PushRequested
from services.contract.topics import Topic
from tests.integration.gateway.helpers import ADMIN, push, settled_batch, wait_for_progress
from tests.integration.gateway.results import publish_results, result
from tests.support.factories import new_tenant
from tests.support.kafka import TopicReader

pytestmark = pytest.mark.integration


async def test_retry_failed_sends_a_new_batch_of_only_the_failed(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    statuses = {"r-1": "succeeded", "r-2": "failed", "r-3": "succeeded", "r-4": "failed"}
    batch_id = await settled_batch(client, kafka_bootstrap_servers, tenant, statuses)
    url = f"/v1/tenants/{tenant}/push-batches/{batch_id}/retry-failed"

    unconfirmed = await client.post(url, json={}, headers=ADMIN)
    assert unconfirmed.status_code == 428
    assert "overwrite any existing QuickBooks data" in unconfirmed.json()["warning"]

    async with TopicReader(kafka_bootstrap_servers, Topic.PUSH_REQUESTS) as reader:
        retried = await client.post(url, json={"confirm_overwrite": True}, headers=ADMIN)
        assert retried.status_code == 202, retried.text
        body = retried.json()
        assert body["retry_of"] == batch_id and body["total"] == 2
        [record] = await reader.wait_for(lambda r: r.json().get("batch_id") == body["batch_id"])
    assert PushRequested.model_validate_json(record.value).invoice_ids == ["r-2", "r-4"]
    progress = await wait_for_progress(client, tenant, body["batch_id"], lambda p: True)
    assert progress["retry_of"] == batch_id and progress["counts"]["total"] == 2

    await publish_results(
        kafka_bootstrap_servers,
        [result(tenant, body["batch_id"], i, batch_size=2) for i in ("r-2", "r-4")],
    )
    await wait_for_progress(client, tenant, body["batch_id"], lambda p: p["state"] == "completed")
    nothing = await client.post(
        f"/v1/tenants/{tenant}/push-batches/{body['batch_id']}/retry-failed",
        json={"confirm_overwrite": True},
        headers=ADMIN,
    )
    assert nothing.status_code == 409
    assert nothing.json()["title"] == "Nothing to retry"


async def test_dry_run_reports_what_the_gateway_knows_and_sends_nothing(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    first = (await push(client, tenant, ["d-1", "d-2", "d-3", "d-4"])).json()["batch_id"]
    await publish_results(
        kafka_bootstrap_servers,
        [
            result(tenant, first, "d-1", "failed", batch_size=4, code=ErrorCode.PRODUCT_NOT_MAPPED),
            result(
                tenant, first, "d-2", "failed", batch_size=4, code=ErrorCode.QBO_DUPLICATE_NUMBER
            ),
            result(tenant, first, "d-3", batch_size=4),
        ],
    )
    await wait_for_progress(client, tenant, first, lambda p: p["counts"]["pending"] == 1)

    async with TopicReader(kafka_bootstrap_servers, Topic.PUSH_REQUESTS) as reader:
        response = await client.post(
            f"/v1/tenants/{tenant}/push-batches",
            json={"invoice_ids": ["d-1", "d-2", "d-3", "d-4", "d-5"], "dry_run": True},
            headers=ADMIN,
        )
        assert response.status_code == 200, response.text
        report = response.json()
        await reader.settle(2)
        published = [r for r in reader.records if r.json().get("tenant_id") == tenant]
    assert len(published) == 1  # only the first, real batch
    assert report["dry_run"] is True and report["ready"] is False and report["invoice_count"] == 5
    kinds = {(f["invoice_id"], f["kind"]) for f in report["findings"]}
    assert kinds == {
        ("d-1", "product_not_mapped"),
        ("d-2", "duplicate_number"),
        ("d-3", "will_overwrite"),
        ("d-4", "in_running_batch"),
    }
    overwrite = next(f for f in report["findings"] if f["kind"] == "will_overwrite")
    assert overwrite["external_number"] == "EXT-d-3" and overwrite["blocking"] is False
    running = next(f for f in report["findings"] if f["kind"] == "in_running_batch")
    assert running["batch_id"] == first
    assert "no invoice data" in report["limitations"]
    assert report["summary"]["product_not_mapped"] == 1


async def test_invoices_are_paged_with_a_cursor_and_filtered_by_status(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    ids = [f"pg-{i:02d}" for i in range(7)]
    batch_id = (await push(client, tenant, list(reversed(ids)))).json()["batch_id"]
    await publish_results(
        kafka_bootstrap_servers,
        [
            result(tenant, batch_id, "pg-03", "failed", batch_size=7),
            result(tenant, batch_id, "pg-05", "failed", batch_size=7),
        ],
    )
    await wait_for_progress(client, tenant, batch_id, lambda p: p["counts"]["failed"] == 2)
    url = f"/v1/tenants/{tenant}/push-batches/{batch_id}/invoices"
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = (await client.get(url, params=params, headers=ADMIN)).json()
        seen += [i["invoice_id"] for i in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(reversed(ids))  # request order
    failed = (await client.get(url, params={"status": "failed"}, headers=ADMIN)).json()
    assert [i["invoice_id"] for i in failed["items"]] == ["pg-05", "pg-03"]
    assert failed["next_cursor"] is None
    pending = (
        await client.get(url, params={"status": "pending", "limit": 100}, headers=ADMIN)
    ).json()
    assert len(pending["items"]) == 5 and all(i["error"] is None for i in pending["items"])
