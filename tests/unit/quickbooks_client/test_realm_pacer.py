"""The realm pacer's decisions with an in-memory lease store (no database, real asyncio)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from services.sync_worker.quickbooks.pacer import LeaseTimings, RealmPacer, request_priority
from services.sync_worker.quickbooks.rate_limit import RealmNotHeld
from services.sync_worker.quickbooks.rate_window import RateLimits, Takeover
from services.sync_worker.quickbooks.realm_leases import Checkpoint, Lease

FAST = LeaseTimings(lease_seconds=10, renew_every=0.05, guard_seconds=1, idle_release_seconds=60)


@dataclass
class FakeLeases:
    """One replica's view of `realm_leases`: `foreign` realms are held by someone else."""

    foreign: set[str] = field(default_factory=set)
    lost: set[str] = field(default_factory=set)
    history: tuple[float, ...] = ()
    acquired: list[str] = field(default_factory=list)
    released: list[Checkpoint] = field(default_factory=list)

    async def acquire(self, realm_id: str, lease_seconds: float) -> Lease | None:
        if realm_id in self.foreign:
            return None
        self.acquired.append(realm_id)
        return Lease(realm_id, 1, Takeover(self.history, None))

    async def renew(self, held: Sequence[Checkpoint], lease_seconds: float) -> set[str]:
        return {c.realm_id for c in held if c.realm_id not in self.lost}

    async def release(self, held: Sequence[Checkpoint]) -> None:
        self.released.extend(held)


def _pacer(leases: FakeLeases, per_second: int = 5, timings: LeaseTimings = FAST) -> RealmPacer:
    return RealmPacer(leases, RateLimits(per_second, 500, margin=0.02), timings)


def _max_in_any_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for u in times if t <= u < t + 1.0) for t in times)


async def test_requests_never_exceed_the_second_window() -> None:
    pacer = _pacer(FakeLeases())
    started = time.monotonic()
    grants = await asyncio.gather(*(pacer.acquire("r1") for _ in range(12)))
    assert _max_in_any_second([g.at for g in grants]) == 5
    assert time.monotonic() - started >= 2.0  # 12 at 5/s: the third five start after 2 s
    await pacer.aclose()


async def test_the_most_urgent_waiter_goes_first() -> None:
    pacer = _pacer(FakeLeases(), per_second=1)
    await pacer.acquire("r1")  # uses the second's only slot
    order: list[str] = []

    async def ask(name: str, priority: int) -> None:
        with request_priority(priority):
            await pacer.acquire("r1")
        order.append(name)

    background = asyncio.create_task(ask("background", 4))
    await asyncio.sleep(0.01)
    push = asyncio.create_task(ask("push", 0))
    await asyncio.gather(background, push)
    assert order == ["push", "background"]
    await pacer.aclose()


async def test_a_realm_held_elsewhere_is_refused_without_asking_again_at_once() -> None:
    leases = FakeLeases(foreign={"r1"})
    pacer = _pacer(leases)
    with pytest.raises(RealmNotHeld):
        await pacer.acquire("r1")
    leases.foreign.clear()
    with pytest.raises(RealmNotHeld):  # within busy_retry_seconds: no database trip
        await pacer.acquire("r1")
    assert leases.acquired == []
    await asyncio.sleep(FAST.busy_retry_seconds)
    await pacer.acquire("r1")
    assert leases.acquired == ["r1"]
    await pacer.aclose()


async def test_waiters_fail_when_the_lease_is_lost() -> None:
    leases = FakeLeases()
    pacer = _pacer(leases, per_second=1)
    await pacer.acquire("r1")
    waiting = asyncio.create_task(pacer.acquire("r1"))
    await asyncio.sleep(0.01)
    leases.lost.add("r1")
    with pytest.raises(RealmNotHeld):
        await waiting
    assert pacer.held() == []
    await pacer.aclose()


async def test_nothing_is_released_past_the_lease_deadline() -> None:
    # Renewals never come back (database down): the deadline passes and waiters fail.
    timings = LeaseTimings(lease_seconds=1.2, renew_every=60, guard_seconds=1)
    pacer = _pacer(FakeLeases(), per_second=1, timings=timings)
    await pacer.acquire("r1")
    with pytest.raises(RealmNotHeld):
        await pacer.acquire("r1")  # its slot (1 s later) lies past the 0.2 s deadline
    await pacer.aclose()


async def test_inherited_history_is_respected_and_handed_back() -> None:
    leases = FakeLeases(history=(0.2,) * 5)  # five sends 0.2 s before the takeover
    pacer = _pacer(leases)
    started = time.monotonic()
    await pacer.acquire("r1")
    assert time.monotonic() - started >= 0.75
    await pacer.aclose()
    [released] = leases.released
    assert released.realm_id == "r1" and len(released.ages) == 6


async def test_a_throttle_pauses_the_realm() -> None:
    pacer = _pacer(FakeLeases())
    await pacer.acquire("r1")
    pacer.throttled("r1", 0.5)
    assert await pacer.seconds_until_available("r1") > 0.4
    grant = await pacer.acquire("r1")
    assert grant.waited >= 0.45
    await pacer.aclose()
