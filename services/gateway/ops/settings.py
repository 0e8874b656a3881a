"""What the ops view reads beyond the gateway's own settings."""

from __future__ import annotations

from pydantic import Field

from services.platform.settings import CommonSettings


class OpsSettings(CommonSettings):
    worker_group_id: str = Field(
        default="mediaos-qbo-sync-worker",
        description="The worker's consumer group, whose lag the ops view shows.",
    )
    ops_refresh_seconds: float = Field(
        default=5.0, gt=0, description="How often the ops event stream re-reads the overview."
    )
