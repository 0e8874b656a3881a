"""SQL of tenant API tokens (hashes only)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.gateway.auth.principal import Principal, Role


async def create_token(
    conn: asyncpg.Connection,
    *,
    token_id: UUID,
    tenant_id: str,
    role: Role,
    token_hash: bytes,
    created_by: str,
) -> None:
    await conn.execute(
        "INSERT INTO api_tokens (token_id, tenant_id, role, token_hash, created_by) "
        "VALUES ($1, $2, $3, $4, $5)",
        token_id,
        tenant_id,
        role.value,
        token_hash,
        created_by,
    )


async def find_active(conn: asyncpg.Connection, token_hash: bytes) -> Principal | None:
    """Who the unrevoked tenant token of this hash speaks for."""
    row = await conn.fetchrow(
        "SELECT token_id, tenant_id, role FROM api_tokens "
        "WHERE token_hash = $1 AND revoked_at IS NULL",
        token_hash,
    )
    if row is None:
        return None
    return Principal(
        operator=False, tenant_id=row["tenant_id"], role=Role(row["role"]), token_id=row["token_id"]
    )


async def revoke(conn: asyncpg.Connection, tenant_id: str, token_id: UUID) -> bool:
    revoked = await conn.fetchval(
        "UPDATE api_tokens SET revoked_at = now() "
        "WHERE token_id = $1 AND tenant_id = $2 AND revoked_at IS NULL RETURNING true",
        token_id,
        tenant_id,
    )
    return bool(revoked)
