"""API conventions through HTTP: Idempotency-Key, ETag / If-None-Match, X-Request-ID."""

from __future__ import annotations

import asyncio
import json
import re
import uuid

import httpx
import pytest

from tests.integration.gateway.helpers import (
    ADMIN,
    connect_tenant,
    mint_token,
    post_push,
    push,
    wait_for_progress,
)
from tests.integration.gateway.results import publish_results, result
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration


async def _batches(client: httpx.AsyncClient, tenant: str) -> list[str]:
    listed = await client.get(f"/v1/tenants/{tenant}/push-batches", headers=ADMIN)
    assert listed.status_code == 200, listed.text
    return [b["batch_id"] for b in listed.json()["items"]]


async def test_same_idempotency_key_and_body_replays_the_first_answer(
    client: httpx.AsyncClient,
) -> None:
    tenant = new_tenant()
    key = {"Idempotency-Key": f"push-{uuid.uuid4()}"}
    first = await push(client, tenant, ["i-1", "i-2"], **{})
    assert first.status_code == 202  # a push without a key is a batch of its own
    url = f"/v1/tenants/{tenant}/push-batches"
    body = {"invoice_ids": ["k-1", "k-2"], "confirm_overwrite": True}

    original = await client.post(url, json=body, headers={**ADMIN, **key})
    again = await client.post(url, json=body, headers={**ADMIN, **key})

    assert original.status_code == again.status_code == 202, again.text
    assert again.json() == original.json()
    assert again.headers["location"] == original.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in original.headers
    batches = await _batches(client, tenant)
    assert sorted(batches) == sorted([first.json()["batch_id"], original.json()["batch_id"]])

    # Another caller's identical key is a different request, not a replay.
    token = await mint_token(client, tenant, "push")
    other = await client.post(url, json=body, headers={"Authorization": f"Bearer {token}", **key})
    assert other.status_code == 202 and other.json()["batch_id"] != original.json()["batch_id"]


async def test_same_idempotency_key_with_another_body_is_422_and_sends_nothing(
    client: httpx.AsyncClient,
) -> None:
    tenant = new_tenant()
    await connect_tenant(client, tenant)
    key = {**ADMIN, "Idempotency-Key": f"push-{uuid.uuid4()}"}
    first = await post_push(client, tenant, ["a"], key)
    assert first.status_code == 202, first.text

    reused = await post_push(client, tenant, ["a", "b"], key)

    assert reused.status_code == 422
    assert reused.headers["content-type"].startswith("application/problem+json")
    problem = reused.json()
    assert problem["status"] == 422 and "Idempotency-Key" in problem["detail"]
    assert problem["type"].endswith("idempotency-key-reused")
    assert await _batches(client, tenant) == [first.json()["batch_id"]]


async def test_an_error_answer_is_not_kept_so_the_key_can_be_used_after_a_fix(
    client: httpx.AsyncClient,
) -> None:
    tenant = new_tenant()
    await connect_tenant(client, tenant)
    url = f"/v1/tenants/{tenant}/push-batches"
    key = {**ADMIN, "Idempotency-Key": f"push-{uuid.uuid4()}"}
    unconfirmed = await client.post(url, json={"invoice_ids": ["a"]}, headers=key)
    assert unconfirmed.status_code == 428

    confirmed = await post_push(client, tenant, ["a"], key)

    assert confirmed.status_code == 202, confirmed.text
    bad_key = await client.post(url, json={}, headers={**ADMIN, "Idempotency-Key": "x" * 256})
    assert bad_key.status_code == 400 and bad_key.json()["type"].endswith("invalid-key")


async def test_batch_status_etag_answers_304_until_the_batch_changes(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    batch = (await push(client, tenant, ["e-1", "e-2"])).json()["batch_id"]
    url = f"/v1/tenants/{tenant}/push-batches/{batch}"
    first = await client.get(url, headers=ADMIN)
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)

    unchanged = await client.get(url, headers={**ADMIN, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    listed = await client.get(url, headers={**ADMIN, "If-None-Match": f'"other", W/{etag}'})
    assert listed.status_code == 304

    await publish_results(kafka_bootstrap_servers, [result(tenant, batch, "e-1", batch_size=2)])
    await wait_for_progress(client, tenant, batch, lambda p: p["counts"]["succeeded"] == 1)
    changed = await client.get(url, headers={**ADMIN, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["counts"]["succeeded"] == 1
    assert changed.headers["etag"] != etag


async def test_request_id_is_echoed_on_every_answer_and_logged(
    client: httpx.AsyncClient, running_gateway: object
) -> None:
    tenant = new_tenant()
    mine = f"trace-{uuid.uuid4()}"
    ok = await client.get("/healthz", headers={"X-Request-ID": mine})
    assert ok.headers["x-request-id"] == mine
    missing = await client.get(
        f"/v1/tenants/{tenant}/push-batches/{uuid.uuid4()}",
        headers={**ADMIN, "X-Request-ID": mine + "-404"},
    )
    assert missing.status_code == 404 and missing.headers["x-request-id"] == mine + "-404"
    refused = await client.get(
        f"/v1/tenants/{tenant}/push-batches", headers={"X-Request-ID": mine + "-401"}
    )
    assert refused.status_code == 401 and refused.headers["x-request-id"] == mine + "-401"

    made = await client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    for unacceptable in ("x" * 129, "has space", ""):
        replaced = await client.get("/healthz", headers={"X-Request-ID": unacceptable})
        assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["x-request-id"]), unacceptable

    log_file = running_gateway.log_file  # type: ignore[attr-defined]
    for _ in range(50):
        lines = [
            json.loads(line)
            for line in log_file.read_text(encoding="utf-8", errors="replace").splitlines()
            if mine in line and line.startswith("{")
        ]
        if len(lines) >= 3:
            break
        await asyncio.sleep(0.1)
    by_id = {line["request_id"]: line for line in lines if line.get("event") == "request"}
    assert by_id[mine]["status"] == 200 and by_id[mine]["route"] == "/healthz"
    assert by_id[mine]["method"] == "GET" and by_id[mine]["duration_ms"] >= 0
    assert by_id[mine + "-404"]["status"] == 404
    assert by_id[mine + "-404"]["route"] == "/v1/tenants/{tenant_id}/push-batches/{batch_id}"
