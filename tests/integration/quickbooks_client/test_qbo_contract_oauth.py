"""OAuth: rotation persisted, shared across replicas, broken connections surfaced."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest
from cryptography.fernet import Fernet

from services.contract.errors import ErrorCode
from services.platform.postgres import create_pool
from services.sync_worker.quickbooks import (
    ConnectionStatus,
    Item,
    QuickBooksAuthError,
    QuickBooksClient,
    QuickBooksError,
    QuickBooksNotConnectedError,
    QuickBooksService,
    RealmNotHeld,
)
from tests.integration.quickbooks_client.conftest import (
    MakeService,
    SandboxRealm,
)
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.integration


async def _token_endpoint(realm: SandboxRealm, refresh_token: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(
            f"{realm.base_url}/oauth2/v1/tokens/bearer",
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            auth=(realm.client_id, realm.client_secret),
        )


async def test_rotated_refresh_token_survives_a_restart(
    realm: SandboxRealm,
    make_service: MakeService,
    sandbox_admin: SandboxAdmin,
    worker_pg_pool: asyncpg.Pool,
    database_url: str,
    tenant_id: str,
) -> None:
    first = make_service(realm)
    connected = await first.connect_tenant(tenant_id, realm.realm_id, realm.refresh_token)
    client = await first.client(tenant_id)
    assert (await client.get_item(realm.item_id)).name == "Display Ad"
    await sandbox_admin.expire_access_tokens(realm.realm_id)
    assert (await client.get_item(realm.item_id)).id == realm.item_id  # 401 -> refresh
    await first.aclose()

    info = await first.get_connection(tenant_id)
    assert info is not None and info.token_version == connected.token_version + 2
    row = await worker_pg_pool.fetchrow(
        "SELECT refresh_token_enc FROM quickbooks_connections WHERE tenant_id = $1", tenant_id
    )
    assert row is not None and realm.refresh_token.encode() not in bytes(row[0])
    # The original refresh token has been rotated away at the sandbox.
    stale = await _token_endpoint(realm, realm.refresh_token)
    assert stale.status_code == 400 and stale.json()["error"] == "invalid_grant"

    # "Restart": a new pool and a new service with an empty token cache.
    pool = await create_pool(database_url, "sync_worker", max_size=2)
    try:
        await sandbox_admin.expire_access_tokens(realm.realm_id)
        second = make_service(realm, pool=pool)
        client = await second.client(tenant_id)
        assert (await client.get_item(realm.item_id)).id == realm.item_id
        info = await second.get_connection(tenant_id)
        assert info is not None and info.status is ConnectionStatus.CONNECTED
        assert info.token_version == connected.token_version + 3
    finally:
        await pool.close()


async def test_replicas_refreshing_at_once_keep_the_connection(
    realm: SandboxRealm,
    make_service: MakeService,
    sandbox_admin: SandboxAdmin,
    database_url: str,
    tenant_id: str,
) -> None:
    pools = [await create_pool(database_url, "sync_worker", max_size=4) for _ in range(2)]
    try:
        replicas = [make_service(realm, pool=pool) for pool in pools]
        connected = await replicas[0].connect_tenant(tenant_id, realm.realm_id, realm.refresh_token)
        for round_number in range(1, 3):
            if round_number > 1:
                await sandbox_admin.expire_access_tokens(realm.realm_id)
            clients = [await r.client(tenant_id) for r in replicas]
            results = await asyncio.gather(
                *(c.get_item(realm.item_id) for c in clients for _ in range(3)),
                return_exceptions=True,
            )
            # Both refresh (tokens come before the rate gate); only the replica pacing the
            # company sends, the other is told to retry later.
            assert {type(r) for r in results} <= {Item, RealmNotHeld}
            assert {r.id for r in results if isinstance(r, Item)} == {realm.item_id}
            info = await replicas[1].get_connection(tenant_id)
            assert info is not None
            assert info.status is ConnectionStatus.CONNECTED
            # Exactly one refresh per round: the others reused the token stored by the first.
            assert info.token_version == connected.token_version + round_number
    finally:
        for pool in pools:
            await pool.close()


async def test_invalid_grant_marks_the_connection_broken_until_reconnected(
    realm: SandboxRealm,
    make_service: MakeService,
    sandbox_admin: SandboxAdmin,
    tenant_id: str,
) -> None:
    service = make_service(realm)
    await service.connect_tenant(tenant_id, realm.realm_id, "RT1-not-a-valid-token")
    client = await service.client(tenant_id)
    await _assert_next_call_breaks_the_connection(
        service, client, realm, tenant_id, "invalid_grant"
    )
    token_calls_before = await sandbox_admin.stats(realm.realm_id)
    with pytest.raises(QuickBooksAuthError):
        await service.client(tenant_id)
    with pytest.raises(QuickBooksAuthError):  # a client obtained earlier fails fast too
        await client.get_item(realm.item_id)
    token_calls_after = await sandbox_admin.stats(realm.realm_id)
    assert token_calls_after["total_requests"] == token_calls_before["total_requests"]

    await service.connect_tenant(tenant_id, realm.realm_id, realm.refresh_token)
    info = await service.get_connection(tenant_id)
    assert info is not None and info.status is ConnectionStatus.CONNECTED
    assert info.broken_reason is None
    client = await service.client(tenant_id)
    assert (await client.get_item(realm.item_id)).id == realm.item_id


async def test_wrong_client_secret_is_a_non_retryable_auth_error(
    realm: SandboxRealm, make_service: MakeService, tenant_id: str
) -> None:
    service = make_service(realm, client_secret="wrong-secret")
    await service.connect_tenant(tenant_id, realm.realm_id, realm.refresh_token)
    client = await service.client(tenant_id)
    with pytest.raises(QuickBooksError) as caught:
        await client.get_item(realm.item_id)
    assert caught.value.code is ErrorCode.QBO_AUTH and not caught.value.retryable
    info = await service.get_connection(tenant_id)
    assert info is not None and info.status is ConnectionStatus.BROKEN


async def test_unknown_and_disconnected_tenants_are_not_connected(
    realm: SandboxRealm, make_service: MakeService, tenant_id: str
) -> None:
    service = make_service(realm)
    with pytest.raises(QuickBooksNotConnectedError) as caught:
        await service.client(tenant_id)
    assert caught.value.code is ErrorCode.NOT_CONNECTED
    await service.connect_tenant(tenant_id, realm.realm_id, realm.refresh_token)
    client = await service.client(tenant_id)
    assert await service.disconnect(tenant_id) is True
    assert await service.get_connection(tenant_id) is None
    with pytest.raises(QuickBooksNotConnectedError):
        await client.get_item(realm.item_id)


async def test_tokens_encrypted_with_a_lost_key_break_the_connection_once(
    realm: SandboxRealm, make_service: MakeService, tenant_id: str
) -> None:
    """A key removed from TOKEN_ENCRYPTION_KEYS too early: the tenant's tokens can never be
    read again. The connection is marked broken (so no background work is scheduled for
    it), not retried in a loop."""
    await make_service(realm).connect_tenant(tenant_id, realm.realm_id, realm.refresh_token)
    other_key = Fernet.generate_key().decode()
    service = make_service(realm, token_encryption_keys=[other_key])
    client = await service.client(tenant_id)
    await _assert_next_call_breaks_the_connection(
        service, client, realm, tenant_id, "undecryptable_credentials"
    )


async def _assert_next_call_breaks_the_connection(
    service: QuickBooksService,
    client: QuickBooksClient,
    realm: SandboxRealm,
    tenant_id: str,
    reason: str,
) -> None:
    """The client's next call fails with a non-retryable QBO_AUTH naming `reason`, and the
    connection is left broken for that reason."""
    with pytest.raises(QuickBooksAuthError) as caught:
        await client.get_item(realm.item_id)
    assert caught.value.code is ErrorCode.QBO_AUTH and not caught.value.retryable
    assert reason in caught.value.message
    info = await service.get_connection(tenant_id)
    assert info is not None and info.status is ConnectionStatus.BROKEN
    assert info.broken_reason == reason
