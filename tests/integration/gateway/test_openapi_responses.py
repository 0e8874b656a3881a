"""Real answers match the OpenAPI document the gateway serves: every status provoked here
is documented for its operation, with the content type and a schema the body satisfies."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.integration.gateway.helpers import ADMIN, connect_tenant, mint_token, push
from tests.integration.gateway.openapi_check import check as check_answer
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration

BATCHES = "/v1/tenants/{tenant_id}/push-batches"
BATCH = BATCHES + "/{batch_id}"


async def _too_large(
    client: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> httpx.Response:
    """413; the gateway answers and closes before reading the body, so the client, still
    sending, may see the connection reset before the answer: that race is retried."""
    huge = b'{"invoice_ids": ["' + b"x" * 2_100_000 + b'"]}'
    for _ in range(5):
        async with httpx.AsyncClient(base_url=client.base_url, timeout=30) as fresh:
            try:
                return await fresh.post(url, content=huge, headers=headers)
            except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
                continue
    raise AssertionError("never read the 413 answer")


async def test_every_provoked_status_matches_the_openapi_document(
    client: httpx.AsyncClient,
) -> None:
    doc = (await client.get("/openapi.json")).json()
    tenant = new_tenant()
    batches = f"/v1/tenants/{tenant}/push-batches"
    seen: dict[tuple[str, str], set[int]] = {}

    def check(method: str, template: str, response: httpx.Response) -> None:
        check_answer(doc, (method, template), response)
        seen.setdefault((method, template), set()).add(response.status_code)

    ids = {"invoice_ids": ["o-1"], "confirm_overwrite": True}
    check("post", BATCHES, await client.post(batches, json=ids, headers=ADMIN))  # 409
    accepted = await push(client, tenant, ["o-1", "o-2"])
    check("post", BATCHES, accepted)  # 202
    check("post", BATCHES, await client.post(batches, json={"invoice_ids": ["o-1"]}, headers=ADMIN))
    dry = {"invoice_ids": ["o-1"], "dry_run": True}
    check("post", BATCHES, await client.post(batches, json=dry, headers=ADMIN))  # 200
    check("post", BATCHES, await client.post(batches, json={"invoice_ids": []}, headers=ADMIN))
    malformed = {**ADMIN, "content-type": "application/json"}
    check("post", BATCHES, await client.post(batches, content=b"{nope", headers=malformed))
    check("post", BATCHES, await _too_large(client, batches, malformed))
    check("post", BATCHES, await client.post(batches, json=ids))  # 401
    reader = {"Authorization": f"Bearer {await mint_token(client, tenant, 'read')}"}
    check("post", BATCHES, await client.post(batches, json=ids, headers=reader))  # 403
    keyed = {**ADMIN, "Idempotency-Key": str(uuid.uuid4())}
    check("post", BATCHES, await client.post(batches, json=ids, headers=keyed))  # 202
    check(
        "post",
        BATCHES,
        await client.post(batches, json={**ids, "requested_by": "x"}, headers=keyed),
    )
    bad_key = {**ADMIN, "Idempotency-Key": "k" * 300}
    check("post", BATCHES, await client.post(batches, json=ids, headers=bad_key))  # 400

    batch = accepted.json()["batch_id"]
    status = await client.get(f"{batches}/{batch}", headers=ADMIN)
    check("get", BATCH, status)  # 200
    etag = {**ADMIN, "If-None-Match": status.headers["etag"]}
    check("get", BATCH, await client.get(f"{batches}/{batch}", headers=etag))  # 304
    check("get", BATCH, await client.get(f"{batches}/{uuid.uuid4()}", headers=ADMIN))  # 404
    check("get", BATCH, await client.get(f"{batches}/not-a-uuid", headers=ADMIN))  # 422
    retry = {"confirm_overwrite": True}
    check("post", BATCH + "/retry-failed", await client.post(
        f"{batches}/{batch}/retry-failed", json=retry, headers=ADMIN
    ))  # fmt: skip
    other = new_tenant()
    await connect_tenant(client, other)
    check("post", "/v1/tenants/{tenant_id}/tokens", await client.post(
        f"/v1/tenants/{other}/tokens", json={"role": "read"}, headers=ADMIN
    ))  # fmt: skip
    check("get", "/healthz", await client.get("/healthz"))

    assert seen[("post", BATCHES)] == {200, 202, 400, 401, 403, 409, 413, 422, 428}
    assert seen[("get", BATCH)] == {200, 304, 404, 422}
    assert seen[("post", BATCH + "/retry-failed")] == {409}
