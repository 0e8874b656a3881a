"""Reconciliation settings (environment variables `RECONCILIATION_*`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ReconciliationSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RECONCILIATION_", env_file=None, extra="ignore", frozen=True
    )

    rate_share: float = Field(
        default=0.2,
        gt=0,
        le=1,
        description="Largest share of a company's QuickBooks rate budget a run may use.",
    )
    lease_seconds: float = Field(default=60.0, gt=1)
    poll_seconds: float = Field(default=1.0, gt=0)
