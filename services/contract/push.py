"""`sync.push-requests.v1`: the Send to QuickBooks batch action."""

from __future__ import annotations

from collections import Counter
from typing import Literal
from uuid import UUID

from pydantic import Field, field_validator

from services.contract.common import EventEnvelope

MAX_BATCH_SIZE = 10_000


class PushRequested(EventEnvelope):
    event_type: Literal["push.requested"] = "push.requested"
    batch_id: UUID
    invoice_ids: list[str] = Field(min_length=1, max_length=MAX_BATCH_SIZE)
    requested_by: str = Field(min_length=1, max_length=200)

    @field_validator("invoice_ids")
    @classmethod
    def _unique_ids(cls, ids: list[str]) -> list[str]:
        duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
        if duplicates:
            raise ValueError(f"duplicate invoice ids: {', '.join(duplicates[:10])}")
        if any(not i or len(i) > 64 for i in ids):
            raise ValueError("invoice ids must be 1..64 characters")
        return ids
