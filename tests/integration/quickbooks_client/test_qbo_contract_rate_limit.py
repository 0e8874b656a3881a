"""One realm, several replicas: leases, handover and crash takeover keep QuickBooks' limits;
and the PostgreSQL-booked budget that meters a reconciliation's share."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import pytest

from services.platform.postgres import create_pool
from services.sync_worker.quickbooks import RealmNotHeld, RealmRateLimiter
from services.sync_worker.quickbooks.pacer import LeaseTimings, RealmPacer
from services.sync_worker.quickbooks.rate_window import RateLimits
from services.sync_worker.quickbooks.realm_leases import RealmLeaseStore
from tests.integration.quickbooks_client.conftest import (
    MakeRealm,
    MakeService,
)
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.integration


async def test_replicas_take_turns_on_a_realm_and_stay_under_its_limit(
    make_realm: MakeRealm,
    make_service: MakeService,
    sandbox_admin: SandboxAdmin,
    database_url: str,
    tenant_id: str,
) -> None:
    realm = await make_realm(limits={"per_second": 5, "per_minute": 500})
    pools = [await create_pool(database_url, "sync_worker", max_size=6) for _ in range(2)]
    try:
        first, second = (
            make_service(realm, pool=pool, rate_limit_per_second=5, retry_total_seconds=0)
            for pool in pools
        )
        await first.connect_tenant(tenant_id, realm.realm_id, realm.refresh_token)
        clients = [await first.client(tenant_id), await second.client(tenant_id)]
        started = time.monotonic()
        # retry_total_seconds=0: a single 429 would fail the call, so success proves none.
        items = await asyncio.gather(*(clients[0].get_item(realm.item_id) for _ in range(12)))
        with pytest.raises(RealmNotHeld):
            await clients[1].get_item(realm.item_id)
        await first.aclose()  # hands the realm back with its send history
        await asyncio.sleep(LeaseTimings().busy_retry_seconds)  # the refusal is remembered
        items += await asyncio.gather(*(clients[1].get_item(realm.item_id) for _ in range(12)))
        elapsed = time.monotonic() - started
    finally:
        for pool in pools:
            await pool.close()
    assert len(items) == 24
    stats = await sandbox_admin.stats(realm.realm_id)
    assert stats["throttled"] == 0
    assert stats["peak_per_second"] <= 5
    # 24 calls at 5/s need at least ~3.8 s; a handover that forgot the history would be faster.
    assert elapsed >= 3.5


async def test_a_crashed_holders_unrecorded_sends_are_charged_to_the_next(
    worker_pg_pool: asyncpg.Pool,
) -> None:
    realm_id = f"realm-{uuid.uuid4().hex[:8]}"
    limits = RateLimits(per_second=5, per_minute=500, margin=0.02)
    short = LeaseTimings(lease_seconds=1.0, renew_every=0.2, guard_seconds=0.3)
    dead = RealmPacer(RealmLeaseStore(worker_pg_pool, "dead"), limits, short)
    heir = RealmPacer(RealmLeaseStore(worker_pg_pool, "heir"), limits, short)
    sent = [(await dead.acquire(realm_id)).at for _ in range(5)]
    await asyncio.sleep(0.3)  # a checkpoint with these five
    assert dead._keeper is not None
    dead._keeper.cancel()  # the replica dies: no renewal, no release
    with pytest.raises(RealmNotHeld):
        await heir.acquire(realm_id)
    await asyncio.sleep(1.2)  # the dead lease runs out
    heir_sent = [(await heir.acquire(realm_id)).at for _ in range(5)]
    await heir.aclose()
    # Nothing in any sliding second beyond the limit, across both holders.
    timeline = sorted(sent + heir_sent)
    assert max(sum(1 for u in timeline if t <= u < t + 1.0) for t in timeline) <= 5
    epoch = await worker_pg_pool.fetchval(
        "SELECT epoch FROM realm_leases WHERE realm_id = $1", realm_id
    )
    assert epoch == 2


async def test_try_acquire_reports_the_wait_without_blocking(
    make_realm: MakeRealm, make_service: MakeService, worker_pg_pool: asyncpg.Pool
) -> None:
    realm = await make_realm()
    limiter = RealmRateLimiter(worker_pg_pool, per_second=3, per_minute=500, margin_seconds=0.25)
    decisions = [await limiter.try_acquire(realm.realm_id) for _ in range(4)]
    assert [d.granted for d in decisions] == [True, True, True, False]
    assert all(d.wait_seconds == 0 for d in decisions[:3])
    # One second's window plus the jitter margin, at most.
    longest = 1.0 + 0.25 + 0.05
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
    make_realm: MakeRealm, worker_pg_pool: asyncpg.Pool
) -> None:
    realm = await make_realm()
    limiter = RealmRateLimiter(worker_pg_pool, per_second=10, per_minute=4)
    decisions = [await limiter.try_acquire(realm.realm_id, max_wait=5) for _ in range(5)]
    assert [d.granted for d in decisions] == [True, True, True, True, False]
    assert decisions[4].wait_seconds > 55
