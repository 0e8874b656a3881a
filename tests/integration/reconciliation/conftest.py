"""The gateway's own PostgreSQL schema, migrated, for driving its reconciliation code."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.platform.postgres import apply_migrations, create_pool


@pytest.fixture
async def gateway_pg_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    await apply_migrations(database_url, "gateway", "services.gateway.migrations")
    pool = await create_pool(database_url, "gateway", max_size=6)
    yield pool
    await pool.close()
