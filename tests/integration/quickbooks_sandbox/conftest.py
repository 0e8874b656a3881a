"""A sandbox served by uvicorn on a free loopback port for the whole session, a webhook
receiver, and a fresh connected realm per test."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.quickbooks_sandbox import SandboxConfig, create_app

from .servers import ThreadedServer, WebhookReceiver

WEBHOOK_VERIFIER = "test-verifier-token"


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    config = SandboxConfig(webhook_batch_delay=0.1, webhook_retry_delays=(0.1, 0.2, 0.3))
    server = ThreadedServer(create_app(config)).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def receiver() -> Iterator[tuple[WebhookReceiver, str]]:
    recorder = WebhookReceiver()
    server = ThreadedServer(recorder.app()).start()
    yield recorder, f"{server.url}/hook"
    server.stop()


@pytest.fixture(scope="session")
def http(sandbox_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_url, timeout=10) as client:
        yield client


@dataclass
class RealmHandle:
    http: httpx.Client
    realm_id: str
    client_id: str
    client_secret: str
    refresh_token: str
    access_token: str
    item_id: str
    customer_id: str

    @property
    def base(self) -> str:
        return f"/v3/company/{self.realm_id}"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", "Accept": "application/json"}

    @property
    def admin(self) -> str:
        return f"/_sandbox/realms/{self.realm_id}"

    def basic(self, secret: str | None = None) -> dict[str, str]:
        raw = f"{self.client_id}:{secret or self.client_secret}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}

    def refresh(self, token: str | None = None) -> httpx.Response:
        return self.http.post(
            "/oauth2/v1/tokens/bearer",
            data={"grant_type": "refresh_token", "refresh_token": token or self.refresh_token},
            headers=self.basic(),
        )

    def invoice_body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "CustomerRef": {"value": self.customer_id},
            "Line": [
                {
                    "Amount": 200.0,
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": self.item_id},
                        "Qty": 2,
                        "UnitPrice": 100.0,
                    },
                }
            ],
        }
        body.update(overrides)
        return body

    def post(self, path: str, body: Any, **params: str) -> httpx.Response:
        return self.http.post(f"{self.base}/{path}", json=body, params=params, headers=self.auth)

    def get(self, path: str, **params: str) -> httpx.Response:
        return self.http.get(f"{self.base}/{path}", params=params, headers=self.auth)

    def create_invoice(self, **overrides: Any) -> dict[str, Any]:
        response = self.post("invoice", self.invoice_body(**overrides))
        assert response.status_code == 200, response.text
        invoice: dict[str, Any] = response.json()["Invoice"]
        return invoice

    def all_invoices(self) -> list[dict[str, Any]]:
        invoices: list[dict[str, Any]] = self.http.get(f"{self.admin}/invoices").json()["invoices"]
        return invoices


def connect_realm(http: httpx.Client, spec: dict[str, Any] | None = None) -> RealmHandle:
    body = spec or {}
    body.setdefault("items", [{"name": "Display Ad", "unit_price": "100.00"}])
    body.setdefault("customers", [{"display_name": "Acme Media"}])
    created = http.post("/_sandbox/realms", json=body)
    assert created.status_code == 201, created.text
    info = created.json()
    handle = RealmHandle(
        http=http,
        realm_id=info["realm_id"],
        client_id=info["client_id"],
        client_secret=info["client_secret"],
        refresh_token=info["refresh_token"],
        access_token="",
        item_id=info["items"][0]["Id"],
        customer_id=info["customers"][0]["Id"],
    )
    tokens = handle.refresh()
    assert tokens.status_code == 200, tokens.text
    handle.access_token = tokens.json()["access_token"]
    handle.refresh_token = tokens.json()["refresh_token"]
    return handle


@pytest.fixture
def realm(http: httpx.Client) -> RealmHandle:
    return connect_realm(http)
