"""Sync worker configuration (environment variables, see README)."""

from __future__ import annotations

import socket

from pydantic import Field

from services.platform.settings import CommonSettings


class WorkerSettings(CommonSettings):
    worker_group_id: str = Field(
        default="mediaos-qbo-sync-worker", description="Kafka consumer group of the workers."
    )
    worker_id: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{__import__('os').getpid()}",
        description="Identifies this replica in leases and heartbeats.",
    )
    ingest_max_records: int = Field(default=500, ge=1, description="Records per ingest batch.")
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
