from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.platform.outbox.limits import record_size, too_large
from services.platform.outbox.message import OutboxMessage, headers_json
from services.platform.outbox.parking import park_new
from services.platform.rows import unnest_arrays

NOTIFY_CHANNEL = "outbox_ready"

# One round trip and one server statement for any number of rows. Ids (the relay's publishing
# order) are drawn in the given order; the NOTIFY is delivered at commit.
_ENQUEUE = """
WITH ob AS (
    INSERT INTO outbox (topic, key, value, headers)
    SELECT topic, key, value, headers::jsonb
    FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::text[]) WITH ORDINALITY
        AS m(topic, key, value, headers, ord)
    ORDER BY ord
)
SELECT pg_notify($5, '')
"""


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
    await conn.execute(
        _ENQUEUE,
        *unnest_arrays(sendable, "topic", "key", "value", "headers", headers=headers_json),
        NOTIFY_CHANNEL,
    )
