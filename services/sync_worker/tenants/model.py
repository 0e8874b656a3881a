from __future__ import annotations

from dataclasses import dataclass

from services.contract.settings import ConflictPolicy


@dataclass(frozen=True, slots=True)
class TenantSettings:
    """Defaults apply to a tenant MediaOS has not sent settings for: two-way, no prefix."""

    manual_push: bool = False
    invoice_number_prefix: str | None = None
    conflict_policy: ConflictPolicy = ConflictPolicy.REPORT


@dataclass(frozen=True, slots=True)
class ProductMapping:
    product_id: str
    product_name: str
    quickbooks_item_id: str | None
