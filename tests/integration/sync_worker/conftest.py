"""A connection to the real test PostgreSQL (the worker's schema), rolled back after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.support.factories import new_tenant


@pytest.fixture
async def conn(worker_pg_pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with worker_pg_pool.acquire() as connection:
        transaction = connection.transaction()
        await transaction.start()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
def tenant() -> str:
    return new_tenant()
