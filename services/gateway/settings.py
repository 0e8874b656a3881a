"""Gateway configuration (environment variables, see README)."""

from __future__ import annotations

import socket

from pydantic import Field, SecretStr

from services.platform.settings import CommonSettings


class GatewaySettings(CommonSettings):
    gateway_group_id: str = Field(
        default="mediaos-qbo-sync-gateway",
        description="Consumer group shared by gateway replicas (state lives in PostgreSQL).",
    )
    gateway_instance_id: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{__import__('os').getpid()}"
    )
    gateway_admin_token: SecretStr = Field(
        description="Operator bearer token: connects tenants and mints tenant tokens."
    )
    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(default=8080, ge=0, le=65535)
    ingest_max_records: int = Field(default=500, ge=1)
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
