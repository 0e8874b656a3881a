from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from services.platform.postgres import apply_migrations, create_pool
from tests.integration.gateway.helpers import gateway_client
from tests.support.services import gateway_fixture


@pytest.fixture
async def client(running_gateway: object) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(running_gateway.url) as c:  # type: ignore[attr-defined]
        yield c


running_gateway = gateway_fixture()


@pytest.fixture
async def gateway_pg_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the gateway's schema (migrated), for tests of its SQL without the app."""
    await apply_migrations(database_url, "gateway", "services.gateway.migrations")
    pool = await create_pool(database_url, "gateway", max_size=4)
    yield pool
    await pool.close()
