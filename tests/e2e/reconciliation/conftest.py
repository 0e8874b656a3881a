"""Worker, gateway and sandbox for the reconciliation scenarios."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.environment import ADMIN_TOKEN, base_service_env
from tests.support.services import gateway_fixture, worker_fixture


@pytest.fixture(scope="package")
def service_env(
    kafka_bootstrap_servers: str, database_url: str, qbo_sandbox_url: str
) -> dict[str, str]:
    """The suite's environment, but with QuickBooks answers awaited longer than its 3 s: the
    in-memory sandbox takes seconds to filter and serialise a page of 1,000 invoices on a
    loaded machine (the worker's own default is 30 s)."""
    env = base_service_env(kafka_bootstrap_servers, database_url, qbo_sandbox_url)
    return {**env, "QBO_REQUEST_TIMEOUT_SECONDS": "20", "QBO_RETRY_TOTAL_SECONDS": "60"}


running_worker = worker_fixture()
running_gateway = gateway_fixture()


@pytest.fixture
async def admin_api(running_worker: Any, running_gateway: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway, as an admin, with a worker behind it."""
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(base_url=running_gateway.url, headers=headers) as api:
        yield api
