"""The per-realm budget is shared by separate client instances (replicas)."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

from services.platform.postgres import create_pool
from tests.integration.quickbooks_client.conftest import (
    MakeRealm,
    MakeService,
)
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.integration


async def test_two_replicas_stay_under_the_realm_limit(
    make_realm: MakeRealm,
    make_service: MakeService,
    sandbox_admin: SandboxAdmin,
    database_url: str,
    tenant_id: str,
) -> None:
    realm = await make_realm(limits={"per_second": 5, "per_minute": 500})
    pools = [await create_pool(database_url, "sync_worker", max_size=6) for _ in range(2)]
    try:
        replicas = [
            make_service(realm, pool=pool, rate_limit_per_second=5, retry_total_seconds=0)
            for pool in pools
        ]
        await replicas[0].connect_tenant(tenant_id, realm.realm_id, realm.refresh_token)
        clients = [await r.client(tenant_id) for r in replicas]
        started = time.monotonic()
        # retry_total_seconds=0: a single 429 would fail the call, so success proves none.
        items = await asyncio.gather(
            *(c.get_item(realm.item_id) for c in clients for _ in range(12))
        )
        elapsed = time.monotonic() - started
    finally:
        for pool in pools:
            await pool.close()
    assert len(items) == 24
    stats = await sandbox_admin.stats(realm.realm_id)
    assert stats["throttled"] == 0
    assert stats["peak_per_second"] <= 5
    assert stats["total_requests"] >= 24
    # 24 calls at 5/s need at least ~4 s; a limiter that lets bursts through would be faster.
    assert elapsed >= 3.5


async def test_try_acquire_reports_the_wait_without_blocking(
    make_realm: MakeRealm, make_service: MakeService, worker_pg_pool: asyncpg.Pool
) -> None:
    realm = await make_realm()
    service = make_service(realm, rate_limit_per_second=3, rate_limit_per_minute=500)
    limiter = service.rate_limiter
    decisions = [await limiter.try_acquire(realm.realm_id) for _ in range(4)]
    assert [d.granted for d in decisions] == [True, True, True, False]
    assert all(d.wait_seconds == 0 for d in decisions[:3])
    # One second's window plus the jitter margin, at most.
    longest = 1.0 + service.config.rate_limit_margin_seconds + 0.05
    assert 0.5 < decisions[3].wait_seconds <= longest
    peek = await limiter.seconds_until_available(realm.realm_id)
    assert 0.5 < peek <= longest
    # A denied try books nothing: the history still holds exactly three grants.
    grants = await worker_pg_pool.fetchval(
        "SELECT cardinality(grants) FROM quickbooks_rate_budgets WHERE realm_id = $1",
        realm.realm_id,
    )
    assert grants == 3
    started = time.monotonic()
    waited = await limiter.acquire(realm.realm_id)
    assert waited > 0.5 and time.monotonic() - started > 0.5
    assert await limiter.seconds_until_available("unknown-realm") == 0.0


async def test_per_minute_budget_is_enforced(
    make_realm: MakeRealm, make_service: MakeService
) -> None:
    realm = await make_realm()
    service = make_service(realm, rate_limit_per_second=10, rate_limit_per_minute=4)
    limiter = service.rate_limiter
    decisions = [await limiter.try_acquire(realm.realm_id, max_wait=5) for _ in range(5)]
    assert [d.granted for d in decisions] == [True, True, True, True, False]
    assert decisions[4].wait_seconds > 55
