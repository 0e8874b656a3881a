"""PostgreSQL storage of tenant -> QuickBooks company connections and their tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import asyncpg
from pydantic import SecretStr

from services.contract.connection_status import ConnectionState, QuickBooksConnectionStatusChanged
from services.contract.topics import Topic, tenant_key
from services.platform.crypto import TokenCipher
from services.platform.outbox import enqueue, event_message
from services.platform.rows import record_of

from .oauth import TokenGrant

UNDECRYPTABLE = "undecryptable_credentials"
"""Broken reason: TOKEN_ENCRYPTION_KEYS no longer holds the key that encrypted the tokens."""


class ConnectionStatus(StrEnum):
    CONNECTED = "connected"
    BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class ConnectionInfo:
    """A connection as the rest of the service may see it: no tokens."""

    tenant_id: str
    realm_id: str
    status: ConnectionStatus
    broken_reason: str | None
    access_token_expires_at: datetime | None
    refresh_token_expires_at: datetime | None
    token_version: int
    connected_at: datetime
    refreshed_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True, repr=False)
class StoredTokens:
    info: ConnectionInfo
    refresh_token: SecretStr
    access_token: SecretStr | None

    def __repr__(self) -> str:
        return f"StoredTokens(tenant_id={self.info.tenant_id!r}, <tokens redacted>)"


_COLUMNS = (
    "tenant_id, realm_id, status, broken_reason, access_token_expires_at, "
    "refresh_token_expires_at, token_version, connected_at, refreshed_at, updated_at"
)
_TOKEN_COLUMNS = f"{_COLUMNS}, refresh_token_enc, access_token_enc"


def _info(row: asyncpg.Record) -> ConnectionInfo:
    return record_of(ConnectionInfo, row, status=ConnectionStatus(row["status"]))


async def _report(
    conn: asyncpg.Connection, info: ConnectionInfo, state: ConnectionState | None = None
) -> None:
    """Tells the gateway (through the outbox, in the caller's transaction) what changed."""
    event = QuickBooksConnectionStatusChanged(
        tenant_id=info.tenant_id,
        status=state or ConnectionState(info.status.value),
        realm_id=info.realm_id,
        reason=info.broken_reason,
        token_version=info.token_version,
        connected_at=info.connected_at,
        refresh_token_rotated_at=info.refreshed_at,
    )
    message = event_message(Topic.CONNECTION_STATUS.value, tenant_key(info.tenant_id), event)
    await enqueue(conn, [message])


class ConnectionStore:
    """All SQL touching `quickbooks_connections`. Callers may pass a connection to join a
    transaction (the refresh path holds the row lock while it talks to Intuit)."""

    def __init__(self, pool: asyncpg.Pool, cipher: TokenCipher) -> None:
        self._pool = pool
        self._cipher = cipher

    @asynccontextmanager
    async def _transaction(self, conn: Any) -> AsyncIterator[Any]:
        """The caller's connection (its transaction) or a new transaction of our own."""
        if conn is not None:
            yield conn
            return
        async with self._pool.acquire() as own, own.transaction():
            yield own

    def _tokens(self, row: asyncpg.Record) -> StoredTokens:
        access_enc = row["access_token_enc"]
        return StoredTokens(
            info=_info(row),
            refresh_token=self._cipher.decrypt(row["refresh_token_enc"]),
            access_token=self._cipher.decrypt(access_enc) if access_enc is not None else None,
        )

    async def connect(
        self,
        tenant_id: str,
        realm_id: str,
        refresh_token: SecretStr,
        *,
        access_token: SecretStr | None = None,
        access_token_expires_at: datetime | None = None,
        conn: asyncpg.Connection | None = None,
    ) -> ConnectionInfo:
        """Store a freshly authorised connection; clears any broken state.

        Pass `conn` to make the change part of the caller's transaction."""
        async with self._transaction(conn) as tx:
            info = await self._upsert(
                tx, tenant_id, realm_id, refresh_token, access_token, access_token_expires_at
            )
            await _report(tx, info)
        return info

    async def _upsert(
        self,
        conn: Any,
        tenant_id: str,
        realm_id: str,
        refresh_token: SecretStr,
        access_token: SecretStr | None,
        access_token_expires_at: datetime | None,
    ) -> ConnectionInfo:
        row = await conn.fetchrow(
            f"""
            INSERT INTO quickbooks_connections AS c
                (tenant_id, realm_id, refresh_token_enc, access_token_enc,
                 access_token_expires_at, status)
            VALUES ($1, $2, $3, $4, $5, 'connected')
            ON CONFLICT (tenant_id) DO UPDATE SET
                realm_id = EXCLUDED.realm_id,
                refresh_token_enc = EXCLUDED.refresh_token_enc,
                access_token_enc = EXCLUDED.access_token_enc,
                access_token_expires_at = EXCLUDED.access_token_expires_at,
                refresh_token_expires_at = NULL,
                status = 'connected',
                broken_reason = NULL,
                token_version = c.token_version + 1,
                connected_at = now(),
                refreshed_at = NULL,
                updated_at = now()
            RETURNING {_COLUMNS}
            """,
            tenant_id,
            realm_id,
            self._cipher.encrypt(refresh_token),
            self._cipher.encrypt(access_token) if access_token is not None else None,
            access_token_expires_at if access_token is not None else None,
        )
        assert row is not None
        return _info(row)

    async def get(self, tenant_id: str) -> ConnectionInfo | None:
        row = await self._pool.fetchrow(
            f"SELECT {_COLUMNS} FROM quickbooks_connections WHERE tenant_id = $1", tenant_id
        )
        return _info(row) if row is not None else None

    async def delete(self, tenant_id: str, *, conn: Any = None) -> bool:
        """Destroys the tenant's tokens; False if it had none."""
        return await self._change(
            conn,
            f"DELETE FROM quickbooks_connections WHERE tenant_id = $1 RETURNING {_COLUMNS}",
            tenant_id,
            state=ConnectionState.DISCONNECTED,
        )

    async def load_tokens(
        self, tenant_id: str, *, conn: Any = None, for_update: bool = False
    ) -> StoredTokens | None:
        sql = f"SELECT {_TOKEN_COLUMNS} FROM quickbooks_connections WHERE tenant_id = $1"
        if for_update:
            sql += " FOR UPDATE"
        row = await (conn or self._pool).fetchrow(sql, tenant_id)
        return self._tokens(row) if row is not None else None

    async def save_grant(
        self, tenant_id: str, grant: TokenGrant, *, expected_version: int, conn: Any = None
    ) -> bool:
        """Store a rotated token pair if nobody stored another since `expected_version`."""
        return await self._change(
            conn,
            f"""
            UPDATE quickbooks_connections SET
                refresh_token_enc = $3,
                access_token_enc = $4,
                access_token_expires_at = $5,
                refresh_token_expires_at = COALESCE($6, refresh_token_expires_at),
                status = 'connected',
                broken_reason = NULL,
                token_version = token_version + 1,
                refreshed_at = now(),
                updated_at = now()
            WHERE tenant_id = $1 AND token_version = $2
            RETURNING {_COLUMNS}
            """,
            tenant_id,
            expected_version,
            self._cipher.encrypt(grant.refresh_token),
            self._cipher.encrypt(grant.access_token),
            grant.access_token_expires_at,
            grant.refresh_token_expires_at,
        )

    async def mark_undecryptable(self, tenant_id: str) -> None:
        """The stored tokens were encrypted with a key this service no longer has: nothing
        can use them until someone reconnects (or restores the key)."""
        version = await self._pool.fetchval(
            "SELECT token_version FROM quickbooks_connections WHERE tenant_id = $1", tenant_id
        )
        if version is not None:
            await self.mark_broken(tenant_id, UNDECRYPTABLE, expected_version=version)

    async def mark_broken(
        self, tenant_id: str, reason: str, *, expected_version: int, conn: Any = None
    ) -> None:
        await self._change(
            conn,
            f"""
            UPDATE quickbooks_connections SET
                status = 'broken', broken_reason = $3,
                access_token_enc = NULL, access_token_expires_at = NULL, updated_at = now()
            WHERE tenant_id = $1 AND token_version = $2
            RETURNING {_COLUMNS}
            """,
            tenant_id,
            expected_version,
            reason,
        )

    async def _change(
        self, conn: Any, sql: str, *args: Any, state: ConnectionState | None = None
    ) -> bool:
        """Runs `sql`, which returns the changed connection's `_COLUMNS`, and reports the
        change in the same transaction; False if no connection changed."""
        async with self._transaction(conn) as tx:
            row = await tx.fetchrow(sql, *args)
            if row is not None:
                await _report(tx, _info(row), state)
        return row is not None
