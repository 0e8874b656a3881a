"""`db_round_trips_total` counts every statement a pool's connections send, asyncpg's own
BEGIN/COMMIT/ROLLBACK included, and nothing on release (real PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from prometheus_client import REGISTRY

from services.platform.postgres import create_pool

pytestmark = pytest.mark.integration


def _count(service: str) -> float:
    return REGISTRY.get_sample_value("db_round_trips_total", {"service": service}) or 0.0


async def _settle() -> None:
    # asyncpg calls query loggers with loop.call_soon: let them run.
    for _ in range(3):
        await asyncio.sleep(0)


async def test_every_statement_of_an_acquired_connection_is_counted(database_url: str) -> None:
    service = f"rt_{uuid.uuid4().hex[:8]}"  # a label no other pool of this process uses
    pool = await create_pool(database_url, service, min_size=1, max_size=1)
    try:
        await _settle()
        assert _count(service) == 0  # opening the pool sends nothing through the logger
        async with pool.acquire() as conn:
            await conn.fetchval("SELECT 1")  # 1
            await conn.execute("SELECT 1")  # 2 (simple query protocol)
            await conn.execute("SELECT $1::int", 1)  # 3 (extended protocol)
            await conn.executemany("SELECT $1::int", [(1,), (2,), (3,)])  # 4: one pipeline
            async with conn.transaction():  # 5 BEGIN
                await conn.fetch("SELECT 1")  # 6
            # 7 COMMIT
        # Released without a reset query (the pool's `reset` hook sends nothing).
        await _settle()
        assert _count(service) == 7

        await pool.fetchval("SELECT 2")
        await _settle()
        assert _count(service) == 8
    finally:
        await pool.close()


async def test_a_rolled_back_transaction_and_a_failed_statement_count(database_url: str) -> None:
    service = f"rt_{uuid.uuid4().hex[:8]}"
    pool = await create_pool(database_url, service, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            with pytest.raises(ZeroDivisionError):
                async with conn.transaction():  # BEGIN
                    await conn.execute("SELECT 1")
                    raise ZeroDivisionError  # ROLLBACK
            with pytest.raises(Exception, match="division by zero"):
                await conn.fetchval("SELECT 1/0")  # sent, answered with an error
        await _settle()
        assert _count(service) == 4  # BEGIN, SELECT, ROLLBACK, 1/0
    finally:
        await pool.close()


async def test_releasing_a_connection_inside_a_transaction_counts_its_rollback(
    database_url: str,
) -> None:
    service = f"rt_{uuid.uuid4().hex[:8]}"
    pool = await create_pool(database_url, service, min_size=1, max_size=1)
    try:
        conn = await pool.acquire()
        await conn.execute("BEGIN")  # an unmanaged transaction left open
        await pool.release(conn)  # asyncpg rolls it back
        await _settle()
        assert _count(service) == 2  # BEGIN, ROLLBACK
    finally:
        await pool.close()
