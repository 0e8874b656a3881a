"""Bad requests get a precise problem-details 4xx and publish nothing."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.contract.topics import Topic
from tests.integration.gateway.helpers import ADMIN, push
from tests.support.factories import new_tenant
from tests.support.kafka import TopicReader

pytestmark = pytest.mark.integration


def _problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


async def test_invalid_batches_are_refused_precisely_and_nothing_is_published(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    url = f"/v1/tenants/{tenant}/push-batches"
    async with TopicReader(kafka_bootstrap_servers, Topic.PUSH_REQUESTS) as reader:
        too_many = [f"i{i}" for i in range(10_001)]
        body = _problem(await push(client, tenant, too_many), 422)
        assert "10000" in str(body["detail"]) and "invoice_ids" in str(body["detail"])

        body = _problem(await push(client, tenant, ["a", "b", "a"]), 422)
        assert "duplicate invoice ids: a" in str(body["detail"])

        body = _problem(await push(client, tenant, []), 422)
        assert "invoice_ids" in str(body["detail"])

        body = _problem(await push(client, tenant, ["a"], surprise=1), 422)
        assert "body.surprise" in str(body["detail"])

        body = _problem(await push(client, tenant, ["x" * 65]), 422)

        malformed = await client.post(
            url,
            content=b'{"invoice_ids": ["a"',
            headers={**ADMIN, "content-type": "application/json"},
        )
        assert _problem(malformed, 400)["title"] == "Malformed JSON"

        not_strict = await client.post(
            url, json={"invoice_ids": ["a"], "confirm_overwrite": "yes"}, headers=ADMIN
        )
        assert "confirm_overwrite" in str(_problem(not_strict, 422)["detail"])

        huge = await client.post(
            url,
            content=b"[" + b" " * 2_100_000 + b"]",
            headers={**ADMIN, "content-type": "application/json"},
        )
        _problem(huge, 413)

        bad_tenant = await push(client, "no spaces!", ["a"])
        _problem(bad_tenant, 422)

        await reader.settle(3)
        assert [r for r in reader.records if r.json().get("tenant_id") == tenant] == []


async def test_unknown_batches_cursors_and_ids(client: httpx.AsyncClient) -> None:
    tenant = new_tenant()
    base = f"/v1/tenants/{tenant}/push-batches"
    _problem(await client.get(f"{base}/{uuid.uuid4()}", headers=ADMIN), 404)
    _problem(await client.get(f"{base}/not-a-uuid", headers=ADMIN), 422)
    batch_id = (await push(client, tenant, ["a"])).json()["batch_id"]
    bad_cursor = await client.get(f"{base}/{batch_id}/invoices?cursor=garbage", headers=ADMIN)
    _problem(bad_cursor, 400)
    _problem(await client.get(f"{base}/{batch_id}/invoices?limit=0", headers=ADMIN), 422)
    _problem(await client.get(f"{base}/{batch_id}/invoices?status=lost", headers=ADMIN), 422)
    _problem(await client.get(f"{base}/{uuid.uuid4()}/events", headers=ADMIN), 404)
