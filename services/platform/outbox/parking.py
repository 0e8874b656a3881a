"""Parked messages: outbox rows that Kafka will never accept, kept with the reason instead
of blocking every row behind them. Counted by `sync_outbox_parked_total`; alerted on by
`OutboxMessagesParked` (deploy/k8s/prometheusrule.yaml). README "Poison input" says how to
replay one."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import structlog
from prometheus_client import Counter

from services.platform.outbox.message import OutboxMessage, headers_json

log = structlog.get_logger(__name__)

PARKED = Counter(
    "sync_outbox_parked",
    "Outbox messages parked because Kafka can never accept them",
    ["topic", "reason"],
)


def _reason_label(reason: str) -> str:
    return reason.split(":", 1)[0]


async def park_new(
    conn: asyncpg.Connection, refused: Sequence[tuple[OutboxMessage, int, str]]
) -> None:
    """Parks messages refused before they reached the outbox (message, size, reason)."""
    await conn.executemany(
        "INSERT INTO parked_messages (topic, key, value, headers, size_bytes, reason, created_at)"
        " VALUES ($1, $2, $3, $4::jsonb, $5, $6, now())",
        [
            (m.topic, m.key, m.value, headers_json(m.headers), size, reason)
            for m, size, reason in refused
        ],
    )
    for message, size, reason in refused:
        _record(message.topic, size, reason, outbox_id=None)


async def park_row(conn: asyncpg.Connection, row: asyncpg.Record, reason: str) -> None:
    """Moves one outbox row Kafka refused for good into parked_messages."""
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO parked_messages (outbox_id, topic, key, value, headers, size_bytes,"
            " reason, created_at) SELECT id, topic, key, value, headers, octet_length(value),"
            " $2, created_at FROM outbox WHERE id = $1",
            row["id"],
            reason,
        )
        await conn.execute("DELETE FROM outbox WHERE id = $1", row["id"])
    _record(row["topic"], len(row["value"]), reason, outbox_id=row["id"])


def _record(topic: str, size: int, reason: str, *, outbox_id: int | None) -> None:
    PARKED.labels(topic=topic, reason=_reason_label(reason)).inc()
    log.error("outbox_message_parked", topic=topic, size=size, reason=reason, outbox_id=outbox_id)
