from __future__ import annotations

from uuid import UUID

import asyncpg


async def mark_processed(conn: asyncpg.Connection, event_id: UUID, topic: str) -> bool:
    """True the first time an event id is seen; False for a redelivery."""
    inserted = await conn.fetchval(
        "INSERT INTO processed_events (event_id, topic) VALUES ($1, $2) "
        "ON CONFLICT (event_id) DO NOTHING RETURNING true",
        event_id,
        topic,
    )
    return bool(inserted)
