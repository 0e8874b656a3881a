"""Sync worker configuration (environment variables, see README)."""

from __future__ import annotations

import os
import socket

from pydantic import Field, SecretStr

from services.platform.settings import CommonSettings


class WorkerSettings(CommonSettings):
    worker_group_id: str = Field(default="mediaos-qbo-sync-worker")
    worker_id: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    ingest_max_records: int = Field(default=500, ge=1)
    # Consumers of the worker's group in one process (see `subscribe_ingest`).
    ingest_consumers: int = Field(default=2, ge=1, le=12)
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    worker_http_host: str = Field(default="127.0.0.1", description="/healthz /readyz /metrics")
    worker_http_port: int = Field(default=8081, ge=0, le=65535)
    metrics_interval_seconds: float = Field(default=10.0, gt=0)
    metrics_per_realm: bool = Field(
        default=False,
        description="Label QuickBooks metrics with the realm id (one series set per company).",
    )

    # QuickBooks Online (Intuit or the sandbox: configuration, not code).
    qbo_api_base_url: str = "https://quickbooks.api.intuit.com"
    qbo_token_url: str = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"  # noqa: S105
    qbo_client_id: str = "sandbox-client"
    qbo_client_secret: SecretStr = SecretStr("sandbox-secret")
    token_encryption_keys: SecretStr = Field(
        description="Comma-separated Fernet keys, newest first (encrypts OAuth tokens)."
    )
    qbo_rate_limit_per_second: int = Field(default=10, ge=1)
    qbo_rate_limit_per_minute: int = Field(default=500, ge=1)
    qbo_request_timeout_seconds: float = Field(default=30.0, gt=0)
    qbo_retry_total_seconds: float = Field(default=60.0, ge=0)
    qbo_throttle_backoff_seconds: float = Field(default=10.0, ge=0)
    qbo_rate_limit_margin_seconds: float = Field(default=0.05, ge=0)
    # Creates waiting on a company's rate limit leave as one `/batch` of up to this many
    # (1: every create alone).
    qbo_batch_max_items: int = Field(default=30, ge=1, le=30)

    # Executor.
    # Units running at once (mostly waiting on QuickBooks; they hold no connection then).
    executor_concurrency: int = Field(default=512, ge=1)
    # Enough to keep one company's 10 requests/s busy at ~1 s QuickBooks latency.
    executor_per_tenant_concurrency: int = Field(default=16, ge=1)
    # Pool connections added for the executor's statements (on top of DB_POOL_MAX_SIZE).
    executor_db_connections: int = Field(default=16, ge=1)
    # A unit still running after this is stuck (every wait inside one is bounded): cancelled.
    executor_max_unit_seconds: float = Field(default=600.0, gt=0)
    lease_seconds: float = Field(default=30.0, gt=1)
    max_attempts: int = Field(default=5, ge=1)
    retry_base_seconds: float = Field(default=2.0, gt=0)
    unknown_invoice_grace_seconds: float = Field(default=10.0, ge=0)
    cdc_interval_seconds: float = Field(default=300.0, gt=0)
    cdc_initial_lookback_seconds: float = Field(default=3600.0, gt=0)
    shutdown_grace_seconds: float = Field(default=20.0, ge=0)
