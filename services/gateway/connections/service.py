"""Connecting a tenant (record the realm, hand the encrypted refresh token to the worker)
and disconnecting it (the worker destroys the tokens)."""

from __future__ import annotations

import asyncpg
from pydantic import SecretStr

from services.contract.connections import (
    QuickBooksConnectionRequested,
    QuickBooksDisconnectRequested,
)
from services.contract.topics import Topic, tenant_key
from services.gateway.connections import repository
from services.platform.crypto import TokenCipher
from services.platform.outbox import enqueue, event_message


async def request_connection(
    pool: asyncpg.Pool,
    cipher: TokenCipher,
    *,
    tenant_id: str,
    realm_id: str,
    refresh_token: SecretStr,
    requested_by: str,
) -> None:
    event = QuickBooksConnectionRequested(
        tenant_id=tenant_id,
        realm_id=realm_id,
        refresh_token_encrypted=cipher.encrypt(refresh_token).decode(),
        requested_by=requested_by,
    )
    async with pool.acquire() as conn, conn.transaction():
        await repository.upsert_connection(conn, tenant_id, realm_id, requested_by)
        await enqueue(conn, [event_message(Topic.CONNECTIONS.value, tenant_key(tenant_id), event)])


async def request_disconnect(pool: asyncpg.Pool, *, tenant_id: str, requested_by: str) -> None:
    """Shown as not connected at once (pushes are refused from now on); the worker then
    destroys the tokens and confirms with a `disconnected` status event."""
    event = QuickBooksDisconnectRequested(tenant_id=tenant_id, requested_by=requested_by)
    async with pool.acquire() as conn, conn.transaction():
        await repository.mark_disconnected(conn, tenant_id, requested_by)
        await enqueue(conn, [event_message(Topic.CONNECTIONS.value, tenant_key(tenant_id), event)])
