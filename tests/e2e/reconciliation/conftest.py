"""Worker, gateway and sandbox for the reconciliation scenarios."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN
from tests.support.sandbox import SandboxAdmin
from tests.support.services import gateway_fixture, worker_fixture


@pytest.fixture
async def sandbox(qbo_sandbox_url: str) -> AsyncIterator[SandboxAdmin]:
    admin = SandboxAdmin(qbo_sandbox_url)
    yield admin
    await admin.aclose()


running_worker = worker_fixture()
running_gateway = gateway_fixture()


@pytest.fixture
async def admin_api(running_worker: Any, running_gateway: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway, as an admin, with a worker behind it."""
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(base_url=running_gateway.url, headers=headers) as api:
        yield api
