"""`realm_leases` SQL: one holder at a time, renewal with fencing, handover with history."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.sync_worker.quickbooks.realm_leases import Checkpoint, RealmLeaseStore

pytestmark = pytest.mark.integration


async def test_a_lease_is_held_renewed_fenced_and_handed_over(
    worker_pg_pool: asyncpg.Pool,
) -> None:
    realm = f"realm-{uuid.uuid4().hex[:8]}"
    first, second = RealmLeaseStore(worker_pg_pool, "a"), RealmLeaseStore(worker_pg_pool, "b")
    lease = await first.acquire(realm, 10)
    assert lease is not None and lease.epoch == 1
    assert lease.takeover.history_ages == () and lease.takeover.unrecorded is None
    assert await second.acquire(realm, 10) is None

    renewed = await first.renew([Checkpoint(realm, 1, [0.5, 0.25])], 10)
    assert renewed == {realm}
    assert await first.renew([Checkpoint(realm, 7, [])], 10) == set()  # wrong epoch: fenced

    await first.release([Checkpoint(realm, 1, [0.5, 0.25])])
    taken = await second.acquire(realm, 10)
    assert taken is not None and taken.epoch == 2
    assert taken.takeover.unrecorded is None  # released cleanly
    ages = sorted(taken.takeover.history_ages)
    assert len(ages) == 2 and 0.25 <= ages[0] < 5 and ages[0] < ages[1]
    assert await first.renew([Checkpoint(realm, 1, [])], 10) == set()  # no longer the owner


async def test_an_expired_lease_is_taken_over_with_the_unrecorded_gap(
    worker_pg_pool: asyncpg.Pool,
) -> None:
    realm = f"realm-{uuid.uuid4().hex[:8]}"
    dead, heir = RealmLeaseStore(worker_pg_pool, "dead"), RealmLeaseStore(worker_pg_pool, "heir")
    assert await dead.acquire(realm, 0.05) is not None
    await worker_pg_pool.execute("SELECT pg_sleep(0.1)")
    taken = await heir.acquire(realm, 10)
    assert taken is not None and taken.epoch == 2
    assert taken.takeover.unrecorded is not None
    checkpoint_age, lease_end_age = taken.takeover.unrecorded
    assert checkpoint_age >= lease_end_age >= 0


async def test_with_two_live_replicas_each_takes_its_share(worker_pg_pool: asyncpg.Pool) -> None:
    run = uuid.uuid4().hex[:8]
    owners = [f"w-{run}-{n}" for n in range(2)]
    await worker_pg_pool.executemany(
        "INSERT INTO worker_heartbeats (worker_id, last_seen) VALUES ($1, now())",
        [(o,) for o in owners],
    )
    # Nothing else runs in this database now: let leases left by earlier tests run out, so
    # the two replicas below are the only ones serving realms.
    await worker_pg_pool.execute(
        "UPDATE realm_leases SET lease_until = now() - interval '1 second' "
        "WHERE lease_until > now()"
    )
    # Only these two heartbeats are fresh enough to count (earlier tests' workers are older).
    first, second = (RealmLeaseStore(worker_pg_pool, o, live_within=5.0) for o in owners)
    held: dict[str, list[str]] = {o: [] for o in owners}
    for n in range(6):
        realm = f"realm-{run}-{n}"
        for store in (first, second):  # the first replica always asks first
            if await store.acquire(realm, 10) is not None:
                held[store.owner].append(realm)
                break
    await worker_pg_pool.execute("DELETE FROM worker_heartbeats WHERE worker_id = ANY($1)", owners)
    assert sum(len(v) for v in held.values()) == 6
    assert [len(held[o]) for o in owners] == [3, 3]
