"""`quickbooks.webhooks.v1` (internal): verified QuickBooks notifications, gateway -> worker."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from services.contract.common import ContractModel, EventEnvelope, Text, UtcDatetime


class ChangedEntity(ContractModel):
    name: Text
    id: Text
    operation: Text
    last_updated: UtcDatetime | None = None


class QuickBooksWebhookReceived(EventEnvelope):
    """One verified notification for the realm connected to `tenant_id`."""

    event_type: Literal["quickbooks.webhook.received"] = "quickbooks.webhook.received"
    realm_id: Text
    entities: list[ChangedEntity] = Field(min_length=1)
