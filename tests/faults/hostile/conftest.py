"""One worker, one gateway and a bystander tenant shared by the hostile-input cases: after
each case, a normal push for the bystander must still complete."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support import tenants
from tests.support.environment import ADMIN_TOKEN
from tests.support.sandbox import SandboxAdmin
from tests.support.services import gateway_fixture, worker_fixture

running_worker = worker_fixture()
running_gateway = gateway_fixture()


@dataclass
class Stack:
    api: httpx.AsyncClient
    gateway: Any
    worker: Any
    bootstrap: str
    pool: asyncpg.Pool
    sandbox: SandboxAdmin
    bystander: str
    bystander_realm: dict[str, Any]


@pytest.fixture(scope="package")
async def stack(
    running_worker: Any,
    running_gateway: Any,
    qbo_sandbox_url: str,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> AsyncIterator[Stack]:
    sandbox = SandboxAdmin(qbo_sandbox_url)
    tenant, realm = await tenants.one_way_push_company(
        kafka_bootstrap_servers,
        worker_pg_pool,
        sandbox,
        limits={"per_minute": 3000, "per_second": 50},
    )
    await tenants.wait_gateway_connected(worker_pg_pool, tenant)
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(base_url=running_gateway.url, headers=headers, timeout=60) as api:
        yield Stack(
            api,
            running_gateway,
            running_worker,
            kafka_bootstrap_servers,
            worker_pg_pool,
            sandbox,
            tenant,
            realm,
        )
    await sandbox.aclose()
