"""Worker, gateway and sandbox for the reconciliation scenarios."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.sandbox import SandboxAdmin
from tests.support.services import gateway_fixture, worker_fixture


@pytest.fixture
async def sandbox(qbo_sandbox_url: str) -> AsyncIterator[SandboxAdmin]:
    admin = SandboxAdmin(qbo_sandbox_url)
    yield admin
    await admin.aclose()


running_worker = worker_fixture()
running_gateway = gateway_fixture()
