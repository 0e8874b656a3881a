from __future__ import annotations

import json
from collections.abc import Sequence

import asyncpg

from services.platform.outbox.message import OutboxMessage

NOTIFY_CHANNEL = "outbox_ready"


async def enqueue(conn: asyncpg.Connection, messages: Sequence[OutboxMessage]) -> None:
    """Adds messages inside the caller's transaction; the relay wakes on commit."""
    if not messages:
        return
    await conn.executemany(
        "INSERT INTO outbox (topic, key, value, headers) VALUES ($1, $2, $3, $4::jsonb)",
        [(m.topic, m.key, m.value, json.dumps(m.headers)) for m in messages],
    )
    await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
