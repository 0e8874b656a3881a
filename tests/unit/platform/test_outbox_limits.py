"""Outbox rows: which are too large for their topic, and headers jsonb can always store."""

from __future__ import annotations

import json

from services.contract.limits import DEAD_LETTER_MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES
from services.contract.topics import Topic
from services.platform.outbox.limits import record_size, too_large
from services.platform.outbox.message import OutboxMessage, headers_json


def _message(topic: str, size: int) -> OutboxMessage:
    return OutboxMessage(topic=topic, key=b"k", value=b"x" * size)


def test_a_row_is_too_large_for_its_own_topic_only() -> None:
    fits = _message(Topic.RESULTS.value, MAX_MESSAGE_BYTES - 1024)
    assert too_large(fits) is None
    over = _message(Topic.RESULTS.value, MAX_MESSAGE_BYTES)
    reason = too_large(over)
    assert reason is not None and reason.startswith("too_large:")
    assert str(record_size(over)) in reason and Topic.RESULTS.value in reason
    assert too_large(_message(Topic.DEAD_LETTERS.value, MAX_MESSAGE_BYTES)) is None
    assert too_large(_message(Topic.DEAD_LETTERS.value, DEAD_LETTER_MAX_MESSAGE_BYTES)) is not None


def test_headers_with_nul_or_lone_surrogates_are_stored_escaped() -> None:
    stored = headers_json([("dlq.error.message", "bad \x00 and \ud800"), ("ok", "plain é")])
    [[_, reason], [_, plain]] = json.loads(stored)
    assert "\x00" not in reason and "\\u0000" in reason and "\\ud800" in reason
    assert plain == "plain é"
