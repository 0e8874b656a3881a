"""Paces each QuickBooks company's requests in memory, on the one replica that holds it.

Why this design: QuickBooks' limits are per company (10 requests in any second, 500 in any
minute). Booking every request in PostgreSQL costs a round trip per call and, because the
booked instant and the moment the bytes leave drift apart under load, needs a wide margin
(0.25 s: 80 % of the per-second budget). Instead a replica leases the realm
(`realm_leases`, 10 s, renewed every 2.5 s in one statement for all its realms) and keeps
the sliding windows in memory (`RealmWindow`): zero round trips per call, and every send is
re-recorded when its bytes are written (`Grant.on_wire`, from httpx's trace hook), so a
5 % margin suffices. Exactness survives replicas and crashes: a holder never releases a
request after its local lease deadline (taken before the renewal is sent, minus a guard),
checkpoints its send history with every renewal, and hands the history over on release;
after a crash the next holder charges the unrecorded gap as the most sends the windows
allowed (`rate_window.inherit`). The `epoch` fences a holder that lost its lease.

Waiters are served by priority (pushes before background work; see `request_priority`),
then by unit age; only a realm with waiters runs a release task.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Protocol

import structlog

from services.platform.db_errors import DB_ERRORS

from .rate_limit import RealmNotHeld
from .rate_window import RateLimits, RealmWindow, inherit
from .realm_leases import Checkpoint, Lease

log = structlog.get_logger(__name__)

# (priority, order): lower first. The executor sets it per unit (push 0 ... background 4).
_PRIORITY: ContextVar[tuple[int, int]] = ContextVar("qbo_request_priority", default=(1, 0))


class LeaseStore(Protocol):
    """`realm_leases.RealmLeaseStore` (PostgreSQL)."""

    async def acquire(self, realm_id: str, lease_seconds: float) -> Lease | None: ...

    async def renew(self, held: Sequence[Checkpoint], lease_seconds: float) -> set[str]: ...

    async def release(self, held: Sequence[Checkpoint]) -> None: ...


@contextlib.contextmanager
def request_priority(priority: int, order: int = 0) -> Iterator[None]:
    token = _PRIORITY.set((priority, order))
    try:
        yield
    finally:
        _PRIORITY.reset(token)


@dataclass(frozen=True, slots=True)
class LeaseTimings:
    lease_seconds: float = 10.0
    renew_every: float = 2.5
    # No request is released later than this before the database lease ends (covers the
    # renewal's own round trip and a stalled event loop).
    guard_seconds: float = 2.0
    idle_release_seconds: float = 15.0
    # After "held by another replica", do not ask the database again for this long.
    busy_retry_seconds: float = 0.5


@dataclass(slots=True)
class _Realm:
    window: RealmWindow
    epoch: int
    deadline: float
    last_used: float
    waiters: list[tuple[int, int, int, asyncio.Future[float]]] = field(default_factory=list)
    releaser: asyncio.Task[None] | None = None
    lost: bool = False


@dataclass(slots=True)
class PacedGrant:
    waited: float
    realm: _Realm
    at: float
    clock: Callable[[], float]
    items: int = 1

    def on_wire(self) -> None:
        now = self.clock()
        self.realm.window.correct(self.at, now, items=self.items, batch=self.items > 1)
        self.at = now

    def batch_size(self, waiting: int, most: int) -> int:
        return self.realm.window.batch_size(self.at, waiting, most)

    def fits(self, items: int) -> bool:
        return self.realm.window.batch_room(self.at) >= items

    def charge_batch(self, items: int) -> None:
        if items > 1 and self.items == 1:
            self.realm.window.charge_batch(self.at, items)
            self.items = items


class RealmPacer:
    def __init__(
        self,
        store: LeaseStore,
        limits: RateLimits,
        timings: LeaseTimings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._limits = limits
        self._timings = timings or LeaseTimings()
        self._clock = clock
        self._realms: dict[str, _Realm] = {}
        self._taking: dict[str, asyncio.Future[_Realm]] = {}
        self._busy_until: dict[str, float] = {}
        self._seq = itertools.count()
        self._keeper: asyncio.Task[None] | None = None

    def held(self) -> list[str]:
        return list(self._realms)

    # -- the gate ----------------------------------------------------------------------------

    async def acquire(self, realm_id: str) -> PacedGrant:
        realm = self._realms.get(realm_id) or await self._take(realm_id)
        now = self._clock()
        if not realm.waiters and now < realm.deadline and realm.window.next_free(now) <= now:
            realm.window.record(now)
            realm.last_used = now
            return PacedGrant(0.0, realm, now, self._clock)
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        priority, order = _PRIORITY.get()
        heapq.heappush(realm.waiters, (priority, order, next(self._seq), future))
        if realm.releaser is None or realm.releaser.done():
            realm.releaser = asyncio.create_task(self._release(realm_id, realm))
        at = await future
        return PacedGrant(at - now, realm, at, self._clock)

    async def seconds_until_available(self, realm_id: str) -> float:
        realm = self._realms.get(realm_id)
        if realm is None:
            return 0.0
        now = self._clock()
        backlog = len(realm.waiters) / self._limits.per_second
        return max(realm.window.next_free(now) - now, 0.0) + backlog

    def throttled(self, realm_id: str, seconds: float) -> None:
        """A 429 despite the pacing: pause the realm and widen its margin (by 0.05 s per 429,
        up to 0.3 s, for as long as this replica holds it)."""
        realm = self._realms.get(realm_id)
        if realm is not None:
            now = self._clock()
            # Our own record of the company's last sends, for whoever investigates the 429.
            recent = [round(age * 1000) for age in realm.window.ages(now)[-12:]]
            log.warning("realm_throttled", realm_id=realm_id, recent_send_ages_ms=recent)
            realm.window.block_until(now + seconds)
            realm.window.widen()

    async def _release(self, realm_id: str, realm: _Realm) -> None:
        """Hands out slots to the realm's waiters, best first, each at its instant."""
        while realm.waiters:
            now = self._clock()
            if realm.lost or now >= realm.deadline:
                self._fail_waiters(realm_id, realm)
                return
            slot = realm.window.next_free(now)
            if slot > now:
                await asyncio.sleep(min(slot - now, max(realm.deadline - now, 0.0)))
                continue
            *_, future = heapq.heappop(realm.waiters)
            if future.done():  # its unit was cancelled
                continue
            realm.window.record(now)
            realm.last_used = now
            future.set_result(now)

    def _fail_waiters(self, realm_id: str, realm: _Realm) -> None:
        while realm.waiters:
            *_, future = heapq.heappop(realm.waiters)
            if not future.done():
                future.set_exception(RealmNotHeld(realm_id))

    # -- leases ------------------------------------------------------------------------------

    async def _take(self, realm_id: str) -> _Realm:
        if self._busy_until.get(realm_id, 0.0) > self._clock():
            raise RealmNotHeld(realm_id)
        pending = self._taking.get(realm_id)
        if pending is None:
            pending = asyncio.ensure_future(self._lease(realm_id))
            self._taking[realm_id] = pending
            pending.add_done_callback(lambda _: self._taking.pop(realm_id, None))
        return await asyncio.shield(pending)

    async def _lease(self, realm_id: str) -> _Realm:
        self._ensure_keeper()
        timings = self._timings
        asked = self._clock()
        lease = await self._store.acquire(realm_id, timings.lease_seconds)
        now = self._clock()
        if lease is None:
            self._busy_until[realm_id] = now + timings.busy_retry_seconds
            raise RealmNotHeld(realm_id)
        window = inherit(lease.takeover, self._limits, now)
        window.checkpointed(asked)
        realm = _Realm(
            window=window,
            epoch=lease.epoch,
            deadline=asked + timings.lease_seconds - timings.guard_seconds,
            last_used=now,
        )
        self._realms[realm_id] = realm
        log.info("realm_lease_acquired", realm_id=realm_id, epoch=lease.epoch)
        return realm

    def _ensure_keeper(self) -> None:
        if self._keeper is None or self._keeper.done():
            self._keeper = asyncio.create_task(self._keep(), name="realm-lease-keeper")

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self._timings.renew_every)
            try:
                await self._release_idle()
                await self.renew()
            except DB_ERRORS as exc:
                log.warning("realm_lease_renewal_failed", error=repr(exc))
            except Exception:  # the keeper must outlive any bug: without it, nothing is sent
                log.exception("realm_lease_keeper_error")

    async def renew(self) -> None:
        if not self._realms:
            return
        asked = self._clock()
        held = dict(self._realms)
        checkpoints = [Checkpoint(r, s.epoch, s.window.ages(asked)) for r, s in held.items()]
        renewed = await self._store.renew(checkpoints, self._timings.lease_seconds)
        deadline = asked + self._timings.lease_seconds - self._timings.guard_seconds
        for realm_id, realm in held.items():
            if realm_id in renewed:
                realm.deadline = max(realm.deadline, deadline)
                realm.window.checkpointed(asked)
            else:
                self._drop(realm_id, realm)
                log.warning("realm_lease_lost", realm_id=realm_id, epoch=realm.epoch)

    async def _release_idle(self) -> None:
        now = self._clock()
        idle = {
            realm_id: realm
            for realm_id, realm in self._realms.items()
            if not realm.waiters and now - realm.last_used > self._timings.idle_release_seconds
        }
        if idle:
            await self._hand_back(idle)

    async def _hand_back(self, realms: dict[str, _Realm]) -> None:
        now = self._clock()
        for realm_id, realm in realms.items():
            self._drop(realm_id, realm)
        await self._store.release(
            [Checkpoint(r, s.epoch, s.window.ages(now)) for r, s in realms.items()]
        )

    def _drop(self, realm_id: str, realm: _Realm) -> None:
        realm.lost = True
        if self._realms.get(realm_id) is realm:
            del self._realms[realm_id]
        self._fail_waiters(realm_id, realm)

    async def aclose(self) -> None:
        """Stops renewing and hands every realm back with its history (clean release)."""
        if self._keeper is not None:
            self._keeper.cancel()
            await asyncio.gather(self._keeper, return_exceptions=True)
        if self._realms:
            with contextlib.suppress(*DB_ERRORS):
                await self._hand_back(dict(self._realms))
