"""Settings of the QuickBooks Online client (wired from the worker's settings)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

INTUIT_API_BASE_URL = "https://quickbooks.api.intuit.com"
INTUIT_TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"  # noqa: S105


class QuickBooksConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    api_base_url: str = INTUIT_API_BASE_URL
    token_url: str = INTUIT_TOKEN_URL
    client_id: str
    client_secret: SecretStr
    # Fernet keys (urlsafe base64, 32 bytes); the first encrypts, all decrypt (key rotation).
    token_encryption_keys: list[SecretStr] = Field(min_length=1)
    minor_version: int | None = None

    # Refresh the access token this long before it expires.
    access_token_refresh_margin_seconds: float = Field(default=300.0, ge=0)

    connect_timeout_seconds: float = Field(default=10.0, gt=0)
    request_timeout_seconds: float = Field(default=60.0, gt=0)

    # Retries of transient failures (429, 5xx, network errors, timeouts).
    retry_total_seconds: float = Field(default=60.0, ge=0)
    retry_initial_backoff_seconds: float = Field(default=0.5, gt=0)
    retry_max_backoff_seconds: float = Field(default=10.0, gt=0)
    # Intuit recommends waiting 60 s after a throttle; we self-limit, so a 429 is rare and
    # waiting less keeps the retry budget useful. Each wait is capped by the budget left.
    throttle_backoff_seconds: float = Field(default=10.0, ge=0)

    # Per-realm request budget, paced in memory by the replica leasing the realm (pacer.py).
    rate_limit_per_second: int = Field(default=10, ge=1)
    rate_limit_per_minute: int = Field(default=500, ge=1)
    # Extra spacing per window. Sends are recorded when the request has been written, so this
    # only covers the hop from there to QuickBooks (loopback or one network transit).
    rate_limit_margin_seconds: float = Field(default=0.05, ge=0)
    # Reconciliation's own share is booked in PostgreSQL (rate_limit.RealmRateLimiter): its
    # margin against jitter, and how far ahead it books a slot before sleeping and asking again.
    share_margin_seconds: float = Field(default=0.25, ge=0)
    rate_limit_max_reservation_seconds: float = Field(default=2.0, ge=0)
    # Creates waiting for a company's rate limit leave together in one `/batch` of at most
    # this many (Intuit: 30); 1 sends every create alone. See batching.py.
    batch_max_items: int = Field(default=30, ge=1, le=30)
    # Creates one company can have in flight (the executor's per-tenant limit): sizes batches.
    in_flight_per_company: int = Field(default=16, ge=1)
    rate_limit_batches_per_minute: int = Field(default=40, ge=1)
    # HTTP connections to QuickBooks per replica (all companies together).
    max_connections: int = Field(default=512, ge=1)

    query_page_size: int = Field(default=1000, ge=1, le=1000)

    @field_validator("api_base_url", "token_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")
