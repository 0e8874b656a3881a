"""Background priority: a reconciliation spends at most a share of a company's rate budget,
and gives way while other work is using it.

Every request first books a slot in the reconciliation's own budget (`{realm}#reconciliation`,
the configured share of the per-second and per-minute limits, booked in PostgreSQL so all
replicas share it). Then, while the company is busy (its pacer has waiters or no free slot
now: a push or two-way sync is sending), it waits, at most `yield_seconds` per request so a
run on a constantly busy company still ends. Only then does it pass the company's own gate
like any other request, at the lowest priority. So pushes keep the budget while they run,
and never have less than the rest of it.
"""

from __future__ import annotations

import asyncio
import math

import asyncpg

from services.sync_worker.quickbooks import QuickBooksConfig, RealmRateLimiter
from services.sync_worker.quickbooks.pacer import request_priority
from services.sync_worker.quickbooks.rate_limit import Grant, RateGate

PRIORITY_RECONCILIATION = 4


def share_key(realm_id: str) -> str:
    return f"{realm_id}#reconciliation"


class ShareLimitedLimiter:
    def __init__(
        self,
        gate: RateGate,
        pool: asyncpg.Pool,
        config: QuickBooksConfig,
        share: float,
        *,
        yield_seconds: float = 5.0,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError("the reconciliation share must be in (0, 1]")
        self._gate = gate
        self._yield_seconds = yield_seconds
        self.per_minute_share = max(1, math.floor(config.rate_limit_per_minute * share))
        self._share = RealmRateLimiter(
            pool,
            per_second=max(1, math.floor(config.rate_limit_per_second * share)),
            per_minute=self.per_minute_share,
            margin_seconds=config.share_margin_seconds,
            max_reservation_seconds=config.rate_limit_max_reservation_seconds,
        )

    async def acquire(self, realm_id: str) -> Grant:
        waited = await self._share.acquire(share_key(realm_id))
        waited += await self._give_way(realm_id)
        with request_priority(PRIORITY_RECONCILIATION):
            grant = await self._gate.acquire(realm_id)
        grant.waited += waited
        return grant

    async def seconds_until_available(self, realm_id: str) -> float:
        return await self._gate.seconds_until_available(realm_id)

    def throttled(self, realm_id: str, seconds: float) -> None:
        self._gate.throttled(realm_id, seconds)

    async def _give_way(self, realm_id: str) -> float:
        waited = 0.0
        while waited < self._yield_seconds:
            busy = await self._gate.seconds_until_available(realm_id)
            if busy <= 0:
                break
            pause = min(max(busy, 0.05), self._yield_seconds - waited)
            await asyncio.sleep(pause)
            waited += pause
        return waited
