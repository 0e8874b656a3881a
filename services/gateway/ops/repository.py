"""SQL the ops overview reads (every tenant; read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

# Parked messages are another feature's table; the overview tolerates its absence.
_PARKED_TABLES = ("gateway.parked_messages", "sync_worker.parked_messages")


@dataclass(frozen=True, slots=True)
class FailureCount:
    tenant_id: str
    code: str
    last_hour: int
    last_day: int


@dataclass(frozen=True, slots=True)
class ThrottledRealm:
    realm_id: str | None
    tenant_id: str
    results: int
    last_at: datetime


async def failure_counts(conn: asyncpg.Connection, now: datetime) -> list[FailureCount]:
    rows = await conn.fetch(
        """
        SELECT tenant_id, code,
               count(*) FILTER (
                   WHERE occurred_at >= $1::timestamptz - interval '1 hour') AS last_hour,
               count(*) AS last_day
        FROM sync_failures WHERE occurred_at >= $1::timestamptz - interval '1 day'
        GROUP BY tenant_id, code ORDER BY last_day DESC, tenant_id, code
        """,
        now,
    )
    return [FailureCount(r["tenant_id"], r["code"], r["last_hour"], r["last_day"]) for r in rows]


async def throttled_realms(
    conn: asyncpg.Connection, now: datetime, minutes: int
) -> list[ThrottledRealm]:
    """Tenants whose invoices ended QBO_RATE_LIMITED recently, with their realm."""
    rows = await conn.fetch(
        """
        SELECT f.tenant_id, c.realm_id, count(*) AS n, max(f.occurred_at) AS last_at
        FROM sync_failures f LEFT JOIN quickbooks_connections c USING (tenant_id)
        WHERE f.code = 'QBO_RATE_LIMITED'
          AND f.occurred_at >= $1::timestamptz - make_interval(mins => $2::integer)
        GROUP BY f.tenant_id, c.realm_id ORDER BY n DESC, f.tenant_id
        """,
        now,
        minutes,
    )
    return [
        ThrottledRealm(r["realm_id"] or None, r["tenant_id"], r["n"], r["last_at"]) for r in rows
    ]


async def parked_count(conn: asyncpg.Connection) -> int | None:
    """Parked rows of the gateway's and the worker's outboxes (those reachable from here);
    None when no parked-messages table is reachable."""
    total: int | None = None
    for table in _PARKED_TABLES:
        if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table):
            try:
                count: int = await conn.fetchval(f"SELECT count(*) FROM {table}")
            except asyncpg.InsufficientPrivilegeError:
                continue
            total = (total or 0) + count
    return total
