"""`mediaos.settings.v1`: per-tenant settings and product mappings from MediaOS core."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from services.contract.common import EventEnvelope, Text


class ConflictPolicy(StrEnum):
    REPORT = "report"
    MEDIAOS_WINS = "mediaos_wins"
    QUICKBOOKS_WINS = "quickbooks_wins"


class SettingsChanged(EventEnvelope):
    """Only the keys present in the message change; absent keys keep their value.

    `invoice_number_prefix: null` removes the prefix.
    """

    event_type: Literal["settings.changed"] = "settings.changed"
    manual_push: bool | None = Field(
        default=None,
        description='"Manual Push - Disabled Two Way Sync" (One-Way Push) when true.',
    )
    invoice_number_prefix: Text | None = Field(default=None, max_length=10)
    conflict_policy: ConflictPolicy | None = None

    def changed_keys(self) -> frozenset[str]:
        return frozenset(self.model_fields_set & _SETTING_KEYS)


_SETTING_KEYS = frozenset({"manual_push", "invoice_number_prefix", "conflict_policy"})


class ProductMappingChanged(EventEnvelope):
    event_type: Literal["product_mapping.changed"] = "product_mapping.changed"
    product_id: Text = Field(min_length=1, max_length=64)
    product_name: Text = Field(min_length=1, max_length=500)
    quickbooks_item_id: Text | None = Field(
        default=None, description="QuickBooks Item Id; null means the product is unmapped."
    )


SettingsEvent = Annotated[
    SettingsChanged | ProductMappingChanged, Field(discriminator="event_type")
]
