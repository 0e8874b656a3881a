"""Size limits every producer and consumer of contract v1 agrees on.

One record may be at most MAX_MESSAGE_BYTES on a contract topic (the topics'
`max.message.bytes`); the dead-letter topic allows more because a dead letter carries its
`dlq.*` headers as well. Producers' `max_request_size` is PRODUCER_MAX_REQUEST_BYTES, so the
client never refuses what the dead-letter topic accepts, and outboxes check each row against
the limit of its topic before it is written (services/platform/outbox).
"""

from __future__ import annotations

MiB = 1024 * 1024

MAX_MESSAGE_BYTES = 1 * MiB
"""The largest record batch a contract topic accepts (`max.message.bytes`). Producers'
`max_request_size` and the broker's `message.max.bytes` must not be lower."""

DEAD_LETTER_MAX_MESSAGE_BYTES = 2 * MiB
"""A dead letter carries a refused message of up to MAX_MESSAGE_BYTES plus `dlq.*` headers
(reason, source, time): the headroom keeps a poison message from also failing here."""

PRODUCER_MAX_REQUEST_BYTES = DEAD_LETTER_MAX_MESSAGE_BYTES + 64 * 1024
"""aiokafka's `max_request_size`: above every topic's limit, so a refusal always names the
topic's own limit and is caught by the outbox's size check first."""

RECORD_OVERHEAD_BYTES = 512
"""Kafka's per-record and per-batch framing, rounded up, added to key + value + headers."""

DEAD_LETTER_KEPT_BYTES = 64 * 1024
"""A dead letter of a record larger than this keeps only its first bytes, a SHA-256 of the
whole, and where the original is (topic/partition/offset)."""
