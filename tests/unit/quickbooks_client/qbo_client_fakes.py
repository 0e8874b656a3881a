"""Fakes for unit tests: no database, HTTP served by httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cryptography.fernet import Fernet
from pydantic import SecretStr

from services.sync_worker.quickbooks.client import QuickBooksClient
from services.sync_worker.quickbooks.config import QuickBooksConfig
from services.sync_worker.quickbooks.metrics import MetricsHook
from services.sync_worker.quickbooks.rate_limit import WaitedGrant
from services.sync_worker.quickbooks.tokens import AccessToken
from services.sync_worker.quickbooks.transport import RequestExecutor

REALM = "9130350000000001"
TENANT = "tenant-1"


def make_config(**overrides: Any) -> QuickBooksConfig:
    values: dict[str, Any] = {
        "api_base_url": "http://qbo.test",
        "token_url": "http://qbo.test/oauth2/v1/tokens/bearer",
        "client_id": "client-id",
        "client_secret": "client-secret-value",
        "token_encryption_keys": [Fernet.generate_key().decode()],
        "retry_total_seconds": 2.0,
        "retry_initial_backoff_seconds": 0.01,
        "retry_max_backoff_seconds": 0.05,
        "throttle_backoff_seconds": 0.05,
    }
    values.update(overrides)
    return QuickBooksConfig(**values)


@dataclass
class FakeTokens:
    """Hands out access-token-1, then access-token-2 after a rejection."""

    issued: list[str] = field(default_factory=lambda: ["access-token-1"])
    rejections: list[str] = field(default_factory=list)

    async def get(self, tenant_id: str, *, rejected: SecretStr | None = None) -> AccessToken:
        if rejected is not None:
            self.rejections.append(rejected.get_secret_value())
            self.issued.append(f"access-token-{len(self.issued) + 1}")
        return AccessToken(
            REALM, SecretStr(self.issued[-1]), datetime.now(UTC) + timedelta(hours=1)
        )


@dataclass
class FakeLimiter:
    acquired: int = 0

    throttles: list[tuple[str, float]] = field(default_factory=list)

    async def acquire(self, realm_id: str) -> WaitedGrant:
        self.acquired += 1
        return WaitedGrant(0.0)

    async def seconds_until_available(self, realm_id: str) -> float:
        return 0.0

    def throttled(self, realm_id: str, seconds: float) -> None:
        self.throttles.append((realm_id, seconds))


def fault(code: str, message: str = "msg", detail: str = "detail", **extra: Any) -> dict[str, Any]:
    error = {"Message": message, "Detail": detail, "code": code, **extra}
    return {"Fault": {"Error": [error], "type": "ValidationFault"}, "time": "2025-01-01T00:00:00Z"}


THROTTLE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2025-01-01T00:00:00Z">'
    '<Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; '
    "errorCode=003001; statusCode=429</Message><Detail>The request limit was reached."
    "</Detail></Error></Fault></IntuitResponse>"
)

Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Recorder:
    """Records requests and answers them from a script of responses (last one repeats)."""

    script: list[Handler | httpx.Response]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script[min(len(self.requests) - 1, len(self.script) - 1)]
        return step(request) if callable(step) else step

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


def json_response(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body)


def build_client(
    recorder: Recorder, metrics: MetricsHook | None = None, **config_overrides: Any
) -> tuple[QuickBooksClient, FakeTokens, FakeLimiter, httpx.AsyncClient]:
    config = make_config(**config_overrides)
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    tokens = FakeTokens()
    limiter = FakeLimiter()
    executor = RequestExecutor(config, http, tokens, limiter, metrics)  # type: ignore[arg-type]
    client = QuickBooksClient(
        executor,
        config,
        tenant_id=TENANT,
        realm_id=REALM,
    )
    return client, tokens, limiter, http


def invoice_json(invoice_id: str = "130", sync_token: str = "0", **extra: Any) -> dict[str, Any]:
    body = {
        "Id": invoice_id,
        "SyncToken": sync_token,
        "DocNumber": "1001",
        "TxnDate": "2025-01-15",
        "CustomerRef": {"value": "59", "name": "Acme"},
        "Line": [
            {
                "Id": "1",
                "LineNum": 1,
                "Amount": 100.10,
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {"ItemRef": {"value": "20"}, "Qty": 1, "UnitPrice": 100.10},
            },
            {"Amount": 100.10, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
        ],
        "TotalAmt": 100.10,
        "Balance": 100.10,
        "MetaData": {
            "CreateTime": "2025-01-15T10:00:00-08:00",
            "LastUpdatedTime": "2025-01-15T10:00:00-08:00",
        },
    }
    body.update(extra)
    return body
