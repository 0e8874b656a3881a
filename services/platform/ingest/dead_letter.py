from __future__ import annotations

from datetime import datetime

from services.contract.parsing import ContractViolation
from services.contract.topics import DeadLetterHeader, Topic
from services.platform.ingest.records import RawRecord
from services.platform.outbox import OutboxMessage

_MAX_REASON = 2000


def dead_letter(
    record: RawRecord, error: ContractViolation, *, failed_by: str, at: datetime
) -> OutboxMessage:
    """The original key and bytes, with headers saying where they came from and why."""
    return OutboxMessage(
        topic=Topic.DEAD_LETTERS.value,
        key=record.key,
        value=record.value or b"",
        headers=[
            (DeadLetterHeader.SOURCE_TOPIC.value, record.topic),
            (DeadLetterHeader.SOURCE_PARTITION.value, str(record.partition)),
            (DeadLetterHeader.SOURCE_OFFSET.value, str(record.offset)),
            (DeadLetterHeader.ERROR_CLASS.value, error.error_class),
            (DeadLetterHeader.ERROR_MESSAGE.value, error.message[:_MAX_REASON]),
            (DeadLetterHeader.FAILED_BY.value, failed_by),
            (DeadLetterHeader.FAILED_AT.value, at.isoformat()),
        ],
    )
