"""`sync.push-requests.v1`: the Send to QuickBooks batch action."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, Field

from services.contract.common import EventEnvelope, Text

MAX_BATCH_SIZE = 10_000

InvoiceId = Annotated[Text, Field(min_length=1, max_length=64)]


def _unique(ids: list[str]) -> list[str]:
    duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
    if duplicates:
        raise ValueError(f"duplicate invoice ids: {', '.join(duplicates[:10])}")
    return ids


# Invoice ids with no repeats; a repeat is refused with the ids repeated (the first ten).
UniqueInvoiceIds = Annotated[list[InvoiceId], AfterValidator(_unique)]


class PushRequested(EventEnvelope):
    event_type: Literal["push.requested"] = "push.requested"
    batch_id: UUID
    invoice_ids: UniqueInvoiceIds = Field(
        min_length=1, max_length=MAX_BATCH_SIZE, json_schema_extra={"uniqueItems": True}
    )
    requested_by: Text = Field(min_length=1, max_length=200)
