"""How big an outbox row may be: the limit of the topic it goes to (contract limits)."""

from __future__ import annotations

from services.contract.limits import (
    DEAD_LETTER_MAX_MESSAGE_BYTES,
    MAX_MESSAGE_BYTES,
    RECORD_OVERHEAD_BYTES,
)
from services.contract.topics import Topic
from services.platform.outbox.message import OutboxMessage


def topic_limit(topic: str) -> int:
    if topic == Topic.DEAD_LETTERS.value:
        return DEAD_LETTER_MAX_MESSAGE_BYTES
    return MAX_MESSAGE_BYTES


def record_size(message: OutboxMessage) -> int:
    headers = sum(len(k.encode()) + len(v.encode()) for k, v in message.headers)
    return len(message.value) + len(message.key or b"") + headers + RECORD_OVERHEAD_BYTES


def too_large(message: OutboxMessage) -> str | None:
    """Why Kafka would refuse this record for its size, or None."""
    size, limit = record_size(message), topic_limit(message.topic)
    if size <= limit:
        return None
    return f"too_large: {size} bytes > {limit} bytes allowed on {message.topic}"
