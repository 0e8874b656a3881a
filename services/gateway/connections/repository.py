"""SQL of tenant -> realm (no secrets are stored by the gateway)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg


async def upsert_connection(
    conn: asyncpg.Connection, tenant_id: str, realm_id: str, requested_by: str
) -> None:
    await conn.execute(
        """
        INSERT INTO quickbooks_connections (tenant_id, realm_id, requested_by)
        VALUES ($1, $2, $3)
        ON CONFLICT (tenant_id) DO UPDATE SET
            realm_id = EXCLUDED.realm_id, requested_by = EXCLUDED.requested_by,
            updated_at = now()
        """,
        tenant_id,
        realm_id,
        requested_by,
    )


async def tenants_by_realm(
    conn: asyncpg.Connection, realm_ids: Sequence[str]
) -> dict[str, list[str]]:
    rows = await conn.fetch(
        "SELECT realm_id, tenant_id FROM quickbooks_connections "
        "WHERE realm_id = ANY($1::text[]) ORDER BY tenant_id",
        list(realm_ids),
    )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["realm_id"], []).append(row["tenant_id"])
    return found
