"""Fixtures for contract tests of the QuickBooks client against the sandbox + PostgreSQL.

Uses the session fixtures `qbo_sandbox_url` and `worker_pg_pool` from tests/conftest.py.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from cryptography.fernet import Fernet

from services.sync_worker.quickbooks import (
    Invoice,
    Line,
    QuickBooksClient,
    QuickBooksConfig,
    QuickBooksService,
    Ref,
    SalesItemLineDetail,
)
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.integration

# One key for the whole session: services built in one test must read each other's rows.
ENCRYPTION_KEY = Fernet.generate_key().decode()


@dataclass(frozen=True)
class SandboxRealm:
    realm_id: str
    client_id: str
    client_secret: str
    refresh_token: str
    item_id: str
    customer_id: str
    base_url: str

    def config(self, **overrides: Any) -> QuickBooksConfig:
        values: dict[str, Any] = {
            "api_base_url": self.base_url,
            "token_url": f"{self.base_url}/oauth2/v1/tokens/bearer",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "token_encryption_keys": [ENCRYPTION_KEY],
            "request_timeout_seconds": 5.0,
            "retry_total_seconds": 15.0,
            "retry_initial_backoff_seconds": 0.05,
            "retry_max_backoff_seconds": 0.5,
            "throttle_backoff_seconds": 0.3,
        }
        values.update(overrides)
        return QuickBooksConfig(**values)


@pytest.fixture
async def sandbox_admin(qbo_sandbox_url: str) -> AsyncIterator[SandboxAdmin]:
    admin = SandboxAdmin(qbo_sandbox_url)
    yield admin
    await admin.aclose()


MakeRealm = Callable[..., Awaitable[SandboxRealm]]


@pytest.fixture
def make_realm(sandbox_admin: SandboxAdmin, qbo_sandbox_url: str) -> MakeRealm:
    async def make(
        settings: dict[str, Any] | None = None, limits: dict[str, int] | None = None
    ) -> SandboxRealm:
        data = await sandbox_admin.create_realm(
            items=[{"name": "Display Ad", "unit_price": "100.00"}],
            customers=[{"display_name": "Acme Media"}],
            settings=settings,
            limits=limits,
        )
        return SandboxRealm(
            realm_id=data["realm_id"],
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            refresh_token=data["refresh_token"],
            item_id=data["items"][0]["Id"],
            customer_id=data["customers"][0]["Id"],
            base_url=qbo_sandbox_url,
        )

    return make


@pytest.fixture
async def realm(make_realm: MakeRealm) -> SandboxRealm:
    return await make_realm()


MakeService = Callable[..., QuickBooksService]


@pytest.fixture
async def make_service(
    worker_pg_pool: asyncpg.Pool,
) -> AsyncIterator[MakeService]:
    created: list[QuickBooksService] = []

    def make(
        realm: SandboxRealm, pool: asyncpg.Pool | None = None, **overrides: Any
    ) -> QuickBooksService:
        service = QuickBooksService(realm.config(**overrides), pool or worker_pg_pool)
        created.append(service)
        return service

    yield make
    for service in created:
        await service.aclose()


@pytest.fixture
def tenant_id() -> str:
    return f"tenant-{uuid.uuid4().hex[:12]}"


Connect = Callable[..., Awaitable[QuickBooksClient]]


@pytest.fixture
def connect(make_service: MakeService, realm: SandboxRealm, tenant_id: str) -> Connect:
    """Connects `tenant_id` to `realm` (configuration overrides as keywords): its client."""

    async def connected(**overrides: Any) -> QuickBooksClient:
        service = make_service(realm, **overrides)
        await service.connect_tenant(tenant_id, realm.realm_id, realm.refresh_token)
        return await service.client(tenant_id)

    return connected


@pytest.fixture
async def client(connect: Connect) -> QuickBooksClient:
    """`tenant_id` connected to `realm` with the default configuration: its client."""
    return await connect()


def request_id(prefix: str = "req") -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def new_invoice(
    realm: SandboxRealm, *, doc_number: str | None = None, amount: str = "100.00"
) -> Invoice:
    value = Decimal(amount)
    return Invoice(
        customer_ref=Ref(value=realm.customer_id),
        doc_number=doc_number,
        line=[
            Line(
                amount=value,
                sales_item_line_detail=SalesItemLineDetail(
                    item_ref=Ref(value=realm.item_id), qty=Decimal(1), unit_price=value
                ),
            )
        ],
    )
