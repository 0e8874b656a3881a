"""A connected tenant on a fresh QuickBooks sandbox company, per test, with MediaOS
product `P-1` mapped to its "Display Ad" item (`P-2` stays unmapped)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest

from services.contract.topics import Topic
from tests.e2e.sync.steps import SyncRig
from tests.support import tenants
from tests.support.environment import ENCRYPTION_KEY
from tests.support.factories import new_tenant
from tests.support.kafka import TopicReader
from tests.support.sandbox import SandboxAdmin
from tests.support.services import gateway_fixture, worker_fixture


@dataclass
class Company:
    tenant_id: str
    realm: dict[str, Any]
    items: dict[str, str]  # item name -> QuickBooks Id

    @property
    def realm_id(self) -> str:
        return str(self.realm["realm_id"])


@pytest.fixture
async def company(
    running_worker: object,
    sandbox: SandboxAdmin,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> Company:
    realm = await sandbox.create_realm(
        items=[
            {"name": "Display Ad", "unit_price": "100.00"},
            {"name": "Newsletter Sponsorship", "unit_price": "250.00"},
        ],
        limits={"per_minute": 3000, "per_second": 50},
    )
    tenant = new_tenant()
    await tenants.connect(kafka_bootstrap_servers, worker_pg_pool, tenant, realm, ENCRYPTION_KEY)
    items = {i["Name"]: i["Id"] for i in realm["items"]}
    await tenants.map_products(
        kafka_bootstrap_servers, worker_pg_pool, tenant, {"P-1": items["Display Ad"]}
    )
    return Company(tenant, realm, items)


@pytest.fixture
async def results(kafka_bootstrap_servers: str) -> AsyncIterator[TopicReader]:
    async with TopicReader(kafka_bootstrap_servers, Topic.RESULTS) as reader:
        yield reader


@pytest.fixture
async def changes(kafka_bootstrap_servers: str) -> AsyncIterator[TopicReader]:
    async with TopicReader(kafka_bootstrap_servers, Topic.QUICKBOOKS_INVOICE_CHANGES) as reader:
        yield reader


running_worker = worker_fixture()
running_gateway = gateway_fixture()


@pytest.fixture
async def manual_company(
    company: Company, kafka_bootstrap_servers: str, worker_pg_pool: asyncpg.Pool
) -> Company:
    """The company in One-Way Push mode: invoices are sent only when pushed."""
    await tenants.change_settings(
        kafka_bootstrap_servers, worker_pg_pool, company.tenant_id, manual_push=True
    )
    return company


@pytest.fixture
def rig(
    company: Company,
    sandbox: SandboxAdmin,
    results: TopicReader,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> SyncRig:
    return SyncRig(kafka_bootstrap_servers, worker_pg_pool, results, sandbox, company)


@pytest.fixture
def manual_rig(manual_company: Company, rig: SyncRig) -> SyncRig:
    """The rig, its company in One-Way Push mode."""
    return rig
