"""The rate gate every QuickBooks request passes, and a budget booked in PostgreSQL.

`RateGate` is what the transport needs: `acquire(realm)` returns once a request may go out
and gives a `Grant`, whose `on_wire()` the transport calls when the request's bytes leave;
a `/batch` charges its items on the grant (`charge_batch`) before it is sent.
Sync work uses `quickbooks.pacer.RealmPacer` (in memory, one replica per realm).

`RealmRateLimiter` books slots in `quickbooks_rate_budgets`, one upsert per request, shared
by every replica without a lease. It costs a database round trip per request and needs a
wider margin, so it only meters a reconciliation's own share of a realm
(reconciliation/pacer.py), never the realm's budget itself.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

import asyncpg


class RealmNotHeld(Exception):
    """Another replica sends this realm's requests (or this one's lease ran out); the work
    is retried later without using an attempt."""

    def __init__(self, realm_id: str) -> None:
        super().__init__(f"realm {realm_id} is paced by another replica")
        self.realm_id = realm_id


class Grant(Protocol):
    waited: float

    def on_wire(self) -> None:
        """The request has been written now."""

    def batch_size(self, waiting: int, most: int) -> int:
        """How many of `waiting` creates this request carries, at most `most` (1: alone)."""

    def charge_batch(self, items: int) -> None:
        """This request is a `/batch` of `items` calls: charge them (before it is sent)."""

    def fits(self, items: int) -> bool:
        """A `/batch` of `items` calls fits the company's minute now."""


class RateGate(Protocol):
    async def acquire(self, realm_id: str) -> Grant: ...

    async def seconds_until_available(self, realm_id: str) -> float: ...

    def throttled(self, realm_id: str, seconds: float) -> None:
        """QuickBooks answered 429 anyway: hold the realm's requests for `seconds`."""


@dataclass(slots=True)
class WaitedGrant:
    """A grant with nothing to record (its gate books the slot itself)."""

    waited: float
    # The per-minute limit: a gate that books no calls cannot refuse a batch's items.
    room: int = 500

    def on_wire(self) -> None:
        return None

    def batch_size(self, waiting: int, most: int) -> int:
        return max(min(waiting, most, self.room), 1)

    def charge_batch(self, items: int) -> None:
        return None

    def fits(self, items: int) -> bool:
        return items <= self.room


_SECOND = 1.0
_MINUTE = 60.0

# $1 realm, $2 per_second, $3 per_minute, $4 margin, $5 max wait to still book, $6 history size.
# ON CONFLICT DO UPDATE locks the realm's row and evaluates SET on its newest version, so
# concurrent callers are serialised by PostgreSQL; clock_timestamp() is read after the lock.
_RESERVE_SQL = """
INSERT INTO quickbooks_rate_budgets AS b (realm_id, grants, last_granted, last_wait)
VALUES ($1, ARRAY[extract(epoch FROM clock_timestamp())::float8], true, 0)
ON CONFLICT (realm_id) DO UPDATE SET
    (grants, last_granted, last_wait, updated_at) = (
        SELECT
            CASE WHEN s.slot - s.now_s <= $5
                 THEN (b.grants || s.slot)[greatest(1, cardinality(b.grants) + 2 - $6):]
                 ELSE b.grants END,
            s.slot - s.now_s <= $5,
            greatest(s.slot - s.now_s, 0),
            now()
        FROM (
            SELECT t.now_s,
                   greatest(
                       t.now_s,
                       b.grants[cardinality(b.grants)],
                       b.grants[cardinality(b.grants) + 1 - $2] + 1.0 + $4,
                       b.grants[cardinality(b.grants) + 1 - $3] + 60.0 + $4
                   ) AS slot
            FROM (SELECT extract(epoch FROM clock_timestamp())::float8 AS now_s) AS t
        ) AS s
    )
RETURNING last_granted, last_wait
"""

# Read-only estimate for schedulers: how long until this realm could send again.
_PEEK_SQL = """
SELECT greatest(
    0,
    b.grants[cardinality(b.grants)] - t.now_s,
    b.grants[cardinality(b.grants) + 1 - $2] + 1.0 + $4 - t.now_s,
    b.grants[cardinality(b.grants) + 1 - $3] + 60.0 + $4 - t.now_s
) AS wait
FROM quickbooks_rate_budgets AS b,
     (SELECT extract(epoch FROM clock_timestamp())::float8 AS now_s) AS t
WHERE b.realm_id = $1
"""


@dataclass(frozen=True, slots=True)
class RateDecision:
    """`granted`: a slot is booked and may be used after `wait_seconds` (0 = now).
    Not granted: nothing was booked; the next slot is about `wait_seconds` away."""

    granted: bool
    wait_seconds: float


class RealmRateLimiter:
    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        per_second: int,
        per_minute: int,
        margin_seconds: float = 0.25,
        max_reservation_seconds: float = 2.0,
    ) -> None:
        if per_second < 1 or per_minute < 1:
            raise ValueError("rate limits must be at least 1")
        self._pool = pool
        self._per_second = per_second
        self._per_minute = per_minute
        self._margin = margin_seconds
        self._max_reservation = max_reservation_seconds

    async def try_acquire(self, realm_id: str, *, max_wait: float = 0.0) -> RateDecision:
        """Book a slot if one is free within `max_wait` seconds; never sleeps (1 round trip)."""
        row = await self._pool.fetchrow(
            _RESERVE_SQL,
            realm_id,
            self._per_second,
            self._per_minute,
            self._margin,
            max_wait,
            max(self._per_second, self._per_minute),
        )
        assert row is not None
        return RateDecision(bool(row["last_granted"]), float(row["last_wait"]))

    async def acquire(self, realm_id: str) -> float:
        """Wait until a slot is granted and its time has come; returns the seconds waited."""
        waited = 0.0
        while True:
            decision = await self.try_acquire(realm_id, max_wait=self._max_reservation)
            if decision.granted:
                if decision.wait_seconds > 0:
                    await asyncio.sleep(decision.wait_seconds)
                return waited + decision.wait_seconds
            pause = max(decision.wait_seconds - self._max_reservation, 0.01)
            await asyncio.sleep(pause)
            waited += pause

    async def seconds_until_available(self, realm_id: str) -> float:
        """Cheap read-only check (books nothing): 0 when a request could go out now."""
        value = await self._pool.fetchval(
            _PEEK_SQL, realm_id, self._per_second, self._per_minute, self._margin
        )
        return float(value) if value is not None else 0.0
