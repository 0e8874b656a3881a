"""Tenant-scoped tokens and roles; other tenants' resources answer 404."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.gateway.helpers import ADMIN, connect_tenant, mint_token, post_push, push
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_tenant_tokens_are_scoped_by_tenant_and_role(client: httpx.AsyncClient) -> None:
    tenant_a, tenant_b = new_tenant(), new_tenant()
    push_a = _bearer(await mint_token(client, tenant_a, "push"))
    read_a = _bearer(await mint_token(client, tenant_a, "read"))
    await connect_tenant(client, tenant_a)
    batch_b = (await push(client, tenant_b, ["b-1"])).json()["batch_id"]

    own = await post_push(client, tenant_a, ["a-1"], push_a)
    assert own.status_code == 202, own.text
    batch_a = own.json()["batch_id"]
    assert (
        await client.get(f"/v1/tenants/{tenant_a}/push-batches/{batch_a}", headers=read_a)
    ).status_code == 200

    # Tenant A's tokens see nothing of tenant B: 404, never 403.
    for headers in (push_a, read_a):
        for path in (
            f"/v1/tenants/{tenant_b}/push-batches/{batch_b}",
            f"/v1/tenants/{tenant_b}/push-batches/{batch_b}/invoices",
            f"/v1/tenants/{tenant_b}/push-batches/{batch_b}/events",
            f"/v1/tenants/{tenant_b}/invoices/b-1/sync-status",
        ):
            response = await client.get(path, headers=headers)
            assert response.status_code == 404, (path, response.text)
        # Nor does asking for B's batch under A's own tenant reveal it.
        assert (
            await client.get(f"/v1/tenants/{tenant_a}/push-batches/{batch_b}", headers=headers)
        ).status_code == 404
    cross_push = await post_push(client, tenant_b, ["x"], push_a)
    assert cross_push.status_code == 404

    # Roles: read may not push, push may not manage the connection or mint tokens.
    a, b = f"/v1/tenants/{tenant_a}", f"/v1/tenants/{tenant_b}"
    confirmed = {"invoice_ids": ["a-2"], "confirm_overwrite": True}
    dry_run = {"invoice_ids": ["a-2"], "dry_run": True}
    connection = {"realm_id": "123", "refresh_token": "r"}
    admin = {"role": "admin"}
    for method, path, body, headers, status in (
        ("POST", f"{a}/push-batches", confirmed, read_a, 403),
        ("POST", f"{a}/push-batches", dry_run, read_a, 200),
        ("PUT", f"{a}/quickbooks-connection", connection, push_a, 403),
        ("POST", f"{a}/tokens", admin, push_a, 403),
        ("POST", f"{b}/tokens", admin, push_a, 404),
    ):
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == status, (method, path, response.text)


async def test_unknown_missing_and_revoked_tokens_are_refused(client: httpx.AsyncClient) -> None:
    tenant = new_tenant()
    path = f"/v1/tenants/{tenant}/invoices/x/sync-status"
    created = await client.post(
        f"/v1/tenants/{tenant}/tokens", json={"role": "admin"}, headers=ADMIN
    )
    assert created.status_code == 201
    body = created.json()
    assert (
        body["token"].startswith("mqs_") and body["role"] == "admin" and body["tenant_id"] == tenant
    )
    admin = _bearer(body["token"])
    assert (
        await client.get(path, headers=admin)
    ).status_code == 404  # authenticated: no result yet

    read_token = await mint_token(client, tenant, "read")
    read_id = (
        await client.post(f"/v1/tenants/{tenant}/tokens", json={"role": "read"}, headers=ADMIN)
    ).json()
    revoked = await client.delete(
        f"/v1/tenants/{tenant}/tokens/{read_id['token_id']}", headers=admin
    )
    assert revoked.status_code == 204
    assert (await client.get(path, headers=_bearer(read_id["token"]))).status_code == 401
    again = await client.delete(f"/v1/tenants/{tenant}/tokens/{read_id['token_id']}", headers=admin)
    assert again.status_code == 404
    assert (await client.get(path, headers=_bearer(read_token))).status_code == 404  # still valid

    for headers in (
        {},
        _bearer("mqs_not-a-real-token"),
        _bearer("garbage"),
        {"Authorization": "Basic eDp5"},
    ):
        response = await client.get(path, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"].startswith("application/problem+json")

    bad_role = await client.post(
        f"/v1/tenants/{tenant}/tokens", json={"role": "root"}, headers=ADMIN
    )
    assert bad_role.status_code == 422


async def test_page_tokens_only_open_their_own_batch(client: httpx.AsyncClient) -> None:
    tenant = new_tenant()
    first = (await push(client, tenant, ["a"])).json()
    second = (await push(client, tenant, ["b"])).json()
    token = first["links"]["page"].split("access_token=")[1]
    base = f"/v1/tenants/{tenant}/push-batches"
    assert (await client.get(f"{base}/{first['batch_id']}?access_token={token}")).status_code == 200
    assert (
        await client.get(f"{base}/{first['batch_id']}", headers=_bearer(token))
    ).status_code == 200
    assert (
        await client.get(f"{base}/{second['batch_id']}?access_token={token}")
    ).status_code == 404
    pushed = await client.post(
        base, json={"invoice_ids": ["c"], "confirm_overwrite": True}, headers=_bearer(token)
    )
    assert pushed.status_code == 404
    assert (
        await client.get(f"{base}/{first['batch_id']}?access_token={token}x")
    ).status_code == 401

    minted = await client.post(f"{base}/{second['batch_id']}/page-token", headers=ADMIN)
    assert minted.status_code == 201
    assert minted.json()["page"].endswith(minted.json()["token"])
    page = await client.get(f"/batches/{second['batch_id']}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "Retry failed" in page.text and "EventSource" in page.text
