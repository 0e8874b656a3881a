"""idempotency_keys: reserve a key, record its answer, find it again (24 h)."""

from __future__ import annotations

import asyncpg

from services.gateway.idempotency.model import KEY_TTL, StoredAnswer


async def reserve(conn: asyncpg.Connection, caller: str, key: str, fingerprint: str) -> bool:
    """True if this request is the key's first (expired keys are forgotten first)."""
    async with conn.transaction():
        await conn.execute(
            "DELETE FROM idempotency_keys "
            "WHERE caller = $1 AND key = $2 AND created_at < now() - $3::interval",
            caller,
            key,
            KEY_TTL,
        )
        inserted = await conn.fetchval(
            "INSERT INTO idempotency_keys (caller, key, fingerprint) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING RETURNING true",
            caller,
            key,
            fingerprint,
        )
    return bool(inserted)


async def find(conn: asyncpg.Connection, caller: str, key: str) -> StoredAnswer | None:
    row = await conn.fetchrow(
        "SELECT fingerprint, status, content_type, location, body FROM idempotency_keys "
        "WHERE caller = $1 AND key = $2",
        caller,
        key,
    )
    return StoredAnswer(**dict(row)) if row else None


async def record(
    conn: asyncpg.Connection,
    caller: str,
    key: str,
    *,
    status: int,
    content_type: str | None,
    location: str | None,
    body: bytes,
) -> None:
    await conn.execute(
        "UPDATE idempotency_keys SET status = $3, content_type = $4, location = $5, body = $6 "
        "WHERE caller = $1 AND key = $2",
        caller,
        key,
        status,
        content_type,
        location,
        body,
    )


async def release(conn: asyncpg.Connection, caller: str, key: str) -> None:
    await conn.execute(
        "DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2 AND status IS NULL",
        caller,
        key,
    )


async def purge_expired(conn: asyncpg.Connection) -> int:
    done = await conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval", KEY_TTL
    )
    return int(done.split()[-1])
