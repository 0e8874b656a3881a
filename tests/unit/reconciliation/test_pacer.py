"""Background priority: a reconciliation's request gives way while the company's budget is
busy, but only for so long, and books its share and the company's slot either way."""

from __future__ import annotations

from services.sync_worker.quickbooks.rate_limit import RateDecision
from services.sync_worker.reconciliation.pacer import ShareLimitedLimiter, share_key
from tests.unit.quickbooks_client.qbo_client_fakes import make_config


class _Limiter(ShareLimitedLimiter):
    """The real decision, with the PostgreSQL budget replaced by scripted answers."""

    def __init__(self, busy: list[float], yield_seconds: float) -> None:
        super().__init__(None, make_config(), 0.2, yield_seconds=yield_seconds)  # type: ignore[arg-type]
        self.busy = busy
        self.booked: list[str] = []
        outer = self

        class _Share:
            async def acquire(self, realm_id: str) -> float:
                outer.booked.append(realm_id)
                return 0.0

        self._share = _Share()  # type: ignore[assignment]

    async def seconds_until_available(self, realm_id: str) -> float:
        return self.busy.pop(0) if self.busy else 0.0

    async def try_acquire(self, realm_id: str, *, max_wait: float = 0.0) -> RateDecision:
        self.booked.append(realm_id)
        return RateDecision(True, 0.0)


async def test_an_idle_company_is_used_at_once() -> None:
    limiter = _Limiter([], yield_seconds=5)
    assert await limiter.acquire("r1") == 0.0
    assert limiter.booked == [share_key("r1"), "r1"]


async def test_waits_while_a_push_keeps_the_budget_busy() -> None:
    limiter = _Limiter([0.05, 0.05, 0.0], yield_seconds=5)
    waited = await limiter.acquire("r1")
    assert 0.1 <= waited < 1
    assert limiter.busy == [] and limiter.booked == [share_key("r1"), "r1"]


async def test_gives_way_for_at_most_yield_seconds() -> None:
    limiter = _Limiter([10.0] * 100, yield_seconds=0.2)
    waited = await limiter.acquire("r1")
    assert abs(waited - 0.2) < 1e-9
    assert limiter.booked == [share_key("r1"), "r1"]
