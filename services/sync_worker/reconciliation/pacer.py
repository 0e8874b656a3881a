"""Background priority: a reconciliation spends at most a share of a company's rate budget.

Every request first books a slot in the reconciliation's own budget (`{realm}#reconciliation`,
the configured share of the per-second and per-minute limits, shared by all replicas through
the same PostgreSQL table), then a slot in the company's budget like any other request. So
pushes and two-way sync always keep the rest of the budget.
"""

from __future__ import annotations

import math

import asyncpg

from services.sync_worker.quickbooks import QuickBooksConfig, RealmRateLimiter


def share_key(realm_id: str) -> str:
    return f"{realm_id}#reconciliation"


class ShareLimitedLimiter(RealmRateLimiter):
    def __init__(self, pool: asyncpg.Pool, config: QuickBooksConfig, share: float) -> None:
        if not 0 < share <= 1:
            raise ValueError("the reconciliation share must be in (0, 1]")
        super().__init__(
            pool,
            per_second=config.rate_limit_per_second,
            per_minute=config.rate_limit_per_minute,
            margin_seconds=config.rate_limit_margin_seconds,
            max_reservation_seconds=config.rate_limit_max_reservation_seconds,
        )
        self.per_minute_share = max(1, math.floor(config.rate_limit_per_minute * share))
        self._share = RealmRateLimiter(
            pool,
            per_second=max(1, math.floor(config.rate_limit_per_second * share)),
            per_minute=self.per_minute_share,
            margin_seconds=config.rate_limit_margin_seconds,
            max_reservation_seconds=config.rate_limit_max_reservation_seconds,
        )

    async def acquire(self, realm_id: str) -> float:
        waited = await self._share.acquire(share_key(realm_id))
        return waited + await super().acquire(realm_id)
