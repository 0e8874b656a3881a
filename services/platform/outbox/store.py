from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.platform.outbox.limits import record_size, too_large
from services.platform.outbox.message import OutboxMessage, headers_json
from services.platform.outbox.parking import park_new

NOTIFY_CHANNEL = "outbox_ready"


async def enqueue(conn: asyncpg.Connection, messages: Sequence[OutboxMessage]) -> None:
    """Adds messages inside the caller's transaction; the relay wakes on commit.

    A message too large for its topic is parked in the same transaction instead: it could
    never be published, and in the outbox it would hold up every row behind it."""
    if not messages:
        return
    sendable = []
    refused = []
    for message in messages:
        reason = too_large(message)
        if reason is None:
            sendable.append(message)
        else:
            refused.append((message, record_size(message), reason))
    if refused:
        await park_new(conn, refused)
    if not sendable:
        return
    await conn.executemany(
        "INSERT INTO outbox (topic, key, value, headers) VALUES ($1, $2, $3, $4::jsonb)",
        [(m.topic, m.key, m.value, headers_json(m.headers)) for m in sendable],
    )
    await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
