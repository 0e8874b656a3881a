"""Nightly reconciliations against the gateway's real database: each tenant that turned
them on gets one run per UTC day, however many gateway replicas ask at the same time; a
tenant that did not gets none."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
import pytest

from services.gateway.reconciliations import repository as repo
from services.gateway.reconciliations.nightly import start_due
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration

DAY_ONE = datetime(2031, 3, 1, 0, 5, tzinfo=UTC)
DAY_ONE_LATE = datetime(2031, 3, 1, 23, 59, tzinfo=UTC)
DAY_TWO = datetime(2031, 3, 2, 0, 1, tzinfo=UTC)


async def _nightly_runs(pool: asyncpg.Pool, tenant_id: str) -> int:
    count: int = await pool.fetchval(
        "SELECT count(*) FROM reconciliations WHERE tenant_id = $1 AND trigger = 'nightly' "
        "AND requested_by = 'nightly'",
        tenant_id,
    )
    return count


async def test_one_nightly_run_per_tenant_per_utc_day(gateway_pg_pool: asyncpg.Pool) -> None:
    on, off, turned_off = new_tenant(), new_tenant(), new_tenant()
    async with gateway_pg_pool.acquire() as conn:
        await repo.set_nightly(conn, on, True)
        await repo.set_nightly(conn, off, False)
        await repo.set_nightly(conn, turned_off, True)
        await repo.set_nightly(conn, turned_off, False)

    # Three replicas' schedulers fire at the same moment.
    started = await asyncio.gather(*(start_due(gateway_pg_pool, DAY_ONE) for _ in range(3)))
    mine = [[t for t in s if t in {on, off, turned_off}] for s in started]
    assert sorted(mine, key=len) == [[], [], [on]]
    assert await _nightly_runs(gateway_pg_pool, on) == 1
    assert await _nightly_runs(gateway_pg_pool, off) == 0
    assert await _nightly_runs(gateway_pg_pool, turned_off) == 0

    assert on not in await start_due(gateway_pg_pool, DAY_ONE_LATE)
    assert await _nightly_runs(gateway_pg_pool, on) == 1

    assert on in await start_due(gateway_pg_pool, DAY_TWO)
    assert await _nightly_runs(gateway_pg_pool, on) == 2
    run = await gateway_pg_pool.fetchrow(
        "SELECT state FROM reconciliations WHERE tenant_id = $1 ORDER BY requested_at DESC",
        on,
    )
    assert run is not None and run["state"] == "queued"
