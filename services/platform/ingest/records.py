from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

_REFUSED = uuid.UUID("5b0c8f43-7f7e-4b4e-9a53-2a4d1c6f0e91")


@dataclass(frozen=True, slots=True)
class RawRecord:
    """A consumed Kafka record, independent of the client library that fetched it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None

    def identity(self) -> uuid.UUID:
        """A stable id for a record that has no readable event id: where it sits and what
        it holds, so a redelivered poison record is dead-lettered once, while a different
        record at a reused offset (a recreated topic) still is."""
        digest = hashlib.sha256(self.value or b"").hexdigest()
        return uuid.uuid5(_REFUSED, f"{self.topic}/{self.partition}/{self.offset}/{digest}")
