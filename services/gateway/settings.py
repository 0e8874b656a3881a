"""Gateway configuration (environment variables, see README)."""

from __future__ import annotations

import os
import socket

from pydantic import Field, SecretStr

from services.platform.settings import CommonSettings


class GatewaySettings(CommonSettings):
    gateway_group_id: str = Field(
        default="mediaos-qbo-sync-gateway",
        description="Consumer group shared by gateway replicas (state lives in PostgreSQL).",
    )
    gateway_instance_id: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}"
    )
    gateway_admin_token: SecretStr = Field(
        description="Operator bearer token: connects tenants and mints tenant tokens."
    )
    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(default=8080, ge=0, le=65535)
    gateway_public_url: str = Field(
        default="",
        description="Base URL clients use to reach the gateway (for absolute links); "
        "empty means links are relative to the request's own base URL.",
    )
    ingest_max_records: int = Field(default=500, ge=1)
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    token_encryption_keys: SecretStr | None = Field(
        default=None,
        description="Fernet keys (comma separated, newest first) shared with the worker; "
        "required to accept QuickBooks connections.",
    )
    qbo_webhook_verifier_token: SecretStr | None = Field(
        default=None,
        description="Intuit webhook verifier token; without it every webhook is refused.",
    )
    gateway_page_token_secret: SecretStr | None = Field(
        default=None,
        description="HMAC key of progress-page tokens; derived from GATEWAY_ADMIN_TOKEN "
        "when unset (every replica must use the same value).",
    )
    gateway_page_token_ttl_seconds: int = Field(default=3600, ge=60, le=86_400)
    gateway_sse_keepalive_seconds: float = Field(
        default=15.0,
        gt=0,
        description="SSE comment interval; streams also re-read PostgreSQL at this pace.",
    )
    gateway_max_body_bytes: int = Field(default=2_000_000, ge=1024)
