"""SQL for `tenant_sync_state`: where each tenant's last CDC sweep left off."""

from __future__ import annotations

from datetime import datetime

import asyncpg


async def cursor(conn: asyncpg.Connection, tenant_id: str) -> datetime | None:
    value: datetime | None = await conn.fetchval(
        "SELECT cdc_cursor FROM tenant_sync_state WHERE tenant_id = $1", tenant_id
    )
    return value


async def save_cursor(conn: asyncpg.Connection, tenant_id: str, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO tenant_sync_state (tenant_id, cdc_cursor, last_cdc_at) "
        "VALUES ($1, $2, now()) ON CONFLICT (tenant_id) DO UPDATE SET "
        "cdc_cursor = EXCLUDED.cdc_cursor, last_cdc_at = now()",
        tenant_id,
        at,
    )
