from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg


async def mark_processed(conn: asyncpg.Connection, events: Sequence[tuple[UUID, str]]) -> set[UUID]:
    """Records event ids in one statement; returns those seen for the first time."""
    if not events:
        return set()
    rows = await conn.fetch(
        "INSERT INTO processed_events (event_id, topic) "
        "SELECT * FROM unnest($1::uuid[], $2::text[]) "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
        [e for e, _ in events],
        [t for _, t in events],
    )
    return {r["event_id"] for r in rows}
