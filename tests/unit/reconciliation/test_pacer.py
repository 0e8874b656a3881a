"""Background priority: a reconciliation's request gives way while the company is busy, but
only for so long, books its share either way, and then passes the company's gate last in
line (lowest priority)."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.sync_worker.quickbooks.pacer import _PRIORITY
from services.sync_worker.quickbooks.rate_limit import WaitedGrant
from services.sync_worker.reconciliation.pacer import (
    PRIORITY_RECONCILIATION,
    ShareLimitedLimiter,
    share_key,
)
from tests.unit.quickbooks_client.qbo_client_fakes import make_config


@dataclass
class _Gate:
    """The company's pacer, scripted: how busy it looks, and who passed it at what priority."""

    busy: list[float] = field(default_factory=list)
    passed: list[tuple[str, int]] = field(default_factory=list)

    async def acquire(self, realm_id: str) -> WaitedGrant:
        self.passed.append((realm_id, _PRIORITY.get()[0]))
        return WaitedGrant(0.0)

    async def seconds_until_available(self, realm_id: str) -> float:
        return self.busy.pop(0) if self.busy else 0.0

    def throttled(self, realm_id: str, seconds: float) -> None:
        return None


def _limiter(gate: _Gate, yield_seconds: float) -> tuple[ShareLimitedLimiter, list[str]]:
    limiter = ShareLimitedLimiter(gate, None, make_config(), 0.2, yield_seconds=yield_seconds)  # type: ignore[arg-type]
    booked: list[str] = []

    class _Share:
        async def acquire(self, realm_id: str) -> float:
            booked.append(realm_id)
            return 0.0

    limiter._share = _Share()  # type: ignore[assignment]
    return limiter, booked


async def test_an_idle_company_is_used_at_once() -> None:
    gate = _Gate()
    limiter, booked = _limiter(gate, yield_seconds=5)
    assert (await limiter.acquire("r1")).waited == 0.0
    assert booked == [share_key("r1")]
    assert gate.passed == [("r1", PRIORITY_RECONCILIATION)]


async def test_waits_while_a_push_keeps_the_company_busy() -> None:
    gate = _Gate(busy=[0.05, 0.05, 0.0])
    limiter, booked = _limiter(gate, yield_seconds=5)
    waited = (await limiter.acquire("r1")).waited
    assert 0.1 <= waited < 1
    assert gate.busy == [] and booked == [share_key("r1")] and len(gate.passed) == 1


async def test_gives_way_for_at_most_yield_seconds() -> None:
    gate = _Gate(busy=[10.0] * 100)
    limiter, booked = _limiter(gate, yield_seconds=0.2)
    waited = (await limiter.acquire("r1")).waited
    assert abs(waited - 0.2) < 1e-9
    assert booked == [share_key("r1")] and gate.passed == [("r1", PRIORITY_RECONCILIATION)]
