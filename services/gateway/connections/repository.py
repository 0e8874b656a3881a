"""SQL of tenant -> realm and connection status (no secrets are stored by the gateway)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from services.contract.connection_status import QuickBooksConnectionStatusChanged
from services.gateway.connections.model import Connection, stored_status
from services.platform.rows import record_of

_COLUMNS = (
    "tenant_id, realm_id, status, reason, connected_at, refresh_token_rotated_at, "
    "last_success_at, status_at"
)


def _connection(row: asyncpg.Record) -> Connection:
    return record_of(
        Connection, row, realm_id=row["realm_id"] or None, status=stored_status(row["status"])
    )


async def upsert_connection(
    conn: asyncpg.Connection, tenant_id: str, realm_id: str, requested_by: str
) -> None:
    await conn.execute(
        """
        INSERT INTO quickbooks_connections (tenant_id, realm_id, requested_by, status,
                                            status_at)
        VALUES ($1, $2, $3, 'connecting', now())
        ON CONFLICT (tenant_id) DO UPDATE SET
            realm_id = EXCLUDED.realm_id, requested_by = EXCLUDED.requested_by,
            status = 'connecting', reason = NULL, status_at = now(), updated_at = now()
        """,
        tenant_id,
        realm_id,
        requested_by,
    )


async def get_connection(conn: asyncpg.Connection, tenant_id: str) -> Connection | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM quickbooks_connections WHERE tenant_id = $1", tenant_id
    )
    return _connection(row) if row is not None else None


async def mark_disconnected(conn: asyncpg.Connection, tenant_id: str, requested_by: str) -> None:
    await conn.execute(
        """
        UPDATE quickbooks_connections SET status = 'disconnected', reason = NULL,
            requested_by = $2, status_at = now(), updated_at = now()
        WHERE tenant_id = $1
        """,
        tenant_id,
        requested_by,
    )


async def apply_status(conn: asyncpg.Connection, event: QuickBooksConnectionStatusChanged) -> None:
    """The worker's report; an older report never overwrites a newer state."""
    await conn.execute(
        """
        INSERT INTO quickbooks_connections AS c (
            tenant_id, realm_id, requested_by, status, reason, connected_at,
            refresh_token_rotated_at, token_version, status_at)
        VALUES ($1, COALESCE($2, ''), 'worker', $3, $4, $5, $6, $7, $8)
        ON CONFLICT (tenant_id) DO UPDATE SET
            realm_id = COALESCE($2, c.realm_id), status = EXCLUDED.status,
            reason = EXCLUDED.reason, connected_at = EXCLUDED.connected_at,
            refresh_token_rotated_at = EXCLUDED.refresh_token_rotated_at,
            token_version = EXCLUDED.token_version, status_at = EXCLUDED.status_at,
            updated_at = now()
        WHERE c.status_at <= EXCLUDED.status_at
        """,
        event.tenant_id,
        event.realm_id,
        event.status.value,
        event.reason,
        event.connected_at,
        event.refresh_token_rotated_at,
        event.token_version,
        event.occurred_at,
    )


async def record_successes(conn: asyncpg.Connection, latest: dict[str, datetime]) -> None:
    """Each tenant's newest successful sync (a call QuickBooks answered with success)."""
    await conn.executemany(
        "UPDATE quickbooks_connections SET last_success_at = GREATEST(last_success_at, $2) "
        "WHERE tenant_id = $1",
        sorted(latest.items()),
    )


async def tenants_by_realm(
    conn: asyncpg.Connection, realm_ids: Sequence[str]
) -> dict[str, list[str]]:
    rows = await conn.fetch(
        "SELECT realm_id, tenant_id FROM quickbooks_connections "
        "WHERE realm_id = ANY($1::text[]) AND status <> 'disconnected' ORDER BY tenant_id",
        list(realm_ids),
    )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["realm_id"], []).append(row["tenant_id"])
    return found


async def all_connections(conn: asyncpg.Connection) -> list[Connection]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM quickbooks_connections ORDER BY tenant_id")
    return [_connection(r) for r in rows]
