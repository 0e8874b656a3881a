"""Dead letters: the original key and bytes (or, for a huge record, its first bytes and a
SHA-256 of the whole), with headers saying where it came from and why it was refused."""

from __future__ import annotations

import hashlib
from datetime import datetime

from services.contract.limits import DEAD_LETTER_KEPT_BYTES
from services.contract.parsing import ContractViolation
from services.contract.topics import DeadLetterHeader, Topic
from services.platform.ingest.records import RawRecord
from services.platform.outbox import OutboxMessage

_MAX_REASON = 2000


def dead_letter(
    record: RawRecord, error: ContractViolation, *, failed_by: str, at: datetime
) -> OutboxMessage:
    """The original, or its first DEAD_LETTER_KEPT_BYTES when larger: the whole stays findable
    by `dlq.source.*` in the source topic for as long as that topic keeps it."""
    value = record.value or b""
    kept = value[:DEAD_LETTER_KEPT_BYTES]
    truncated: list[tuple[str, str]] = []
    if len(value) > len(kept):
        truncated = [
            (DeadLetterHeader.TRUNCATED.value, "true"),
            (DeadLetterHeader.ORIGINAL_SIZE.value, str(len(value))),
            (DeadLetterHeader.ORIGINAL_SHA256.value, hashlib.sha256(value).hexdigest()),
        ]
    return OutboxMessage(
        topic=Topic.DEAD_LETTERS.value,
        key=(record.key or b"")[:1024] or None,
        value=kept,
        headers=[
            *truncated,
            (DeadLetterHeader.SOURCE_TOPIC.value, record.topic),
            (DeadLetterHeader.SOURCE_PARTITION.value, str(record.partition)),
            (DeadLetterHeader.SOURCE_OFFSET.value, str(record.offset)),
            (DeadLetterHeader.ERROR_CLASS.value, error.error_class),
            (DeadLetterHeader.ERROR_MESSAGE.value, error.message[:_MAX_REASON]),
            (DeadLetterHeader.FAILED_BY.value, failed_by),
            (DeadLetterHeader.FAILED_AT.value, at.isoformat()),
        ],
    )
