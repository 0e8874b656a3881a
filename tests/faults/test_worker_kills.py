"""SIGKILL workers during a push while QuickBooks throttles, fails and drops responses after
committing; afterwards: no duplicate, nothing missing, one result each."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest

from tests.faults.conftest import Replicas
from tests.faults.scenario import Disruption, run_push_scenario

pytestmark = pytest.mark.faults


@dataclass(frozen=True)
class KillPlan:
    name: str
    seed: int
    invoices: int
    faults: list[dict[str, Any]]
    first_kill: tuple[float, float]  # seconds into the push (uniform)
    between_kills: tuple[float, float]
    most_kills: int
    least_kills: int  # the scenario is only meaningful if this many happened
    latency: str | None = None


def errors(rate: float) -> list[dict[str, Any]]:
    """QuickBooks answers 429 and 503, each at `rate`."""
    return [
        {"kind": "throttle", "rate": rate},
        {"kind": "server_error", "rate": rate, "status": 503},
    ]


# The connection breaks after QuickBooks committed a create: did it happen or not?
LOST_CREATE: dict[str, Any] = {
    "kind": "drop_after_commit",
    "rate": 0.02,
    "endpoint": "invoice.create",
    "mode": "abort",
}
# Creates that waited on the rate limit go as `/batch`: the same ambiguity there.
LOST_BATCH: dict[str, Any] = {
    "kind": "drop_after_commit",
    "rate": 0.05,
    "endpoint": "batch",
    "mode": "abort",
}

PLANS = [
    KillPlan(
        "SIGKILL 2 workers + QBO 429/5xx/drop-after-commit",
        seed=20261125,
        invoices=1000,
        faults=[
            *errors(0.04),
            LOST_CREATE,
            {
                "kind": "drop_after_commit",
                "rate": 0.01,
                "endpoint": "invoice.create",
                "hang_seconds": 5,
            },
            LOST_BATCH,
            {"kind": "drop_after_commit", "rate": 0.02, "endpoint": "batch", "hang_seconds": 5},
        ],
        first_kill=(3, 6),
        between_kills=(4, 8),
        most_kills=6,
        least_kills=3,
    ),
    # The same guarantees when QuickBooks answers in hundreds of milliseconds (the `intuit`
    # profile: p50 300 ms, p99 1.2 s), so many calls are in flight when a replica dies and
    # the company's lease must pass to the survivor after it runs out.
    KillPlan(
        "SIGKILL 2 workers + QBO latency (intuit) + 429/5xx/drop-after-commit",
        seed=20261129,
        invoices=400,
        faults=[*errors(0.03), LOST_CREATE, LOST_BATCH],
        first_kill=(3, 5),
        between_kills=(5, 9),
        most_kills=3,
        least_kills=2,
        latency="intuit",
    ),
]


def kill_now_and_then(replicas: Replicas, rng: random.Random, plan: KillPlan) -> Disruption:
    """SIGKILLs a random replica as the plan says, restarting it 0.5-2 s after each kill."""
    next_kill = rng.uniform(*plan.first_kill)

    async def disrupt(elapsed: float, _done: int) -> None:
        nonlocal next_kill
        if elapsed >= next_kill and replicas.kills < plan.most_kills:
            victim = replicas.sigkill_random(rng)
            await asyncio.sleep(rng.uniform(0.5, 2.0))
            replicas.start(victim)
            next_kill = elapsed + rng.uniform(*plan.between_kills)

    return disrupt


@pytest.mark.parametrize("plan", PLANS, ids=["quickbooks-faults", "quickbooks-latency"])
async def test_sigkill_workers_during_push(
    plan: KillPlan,
    replicas: Replicas,
    qbo_sandbox_url: str,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    rng = random.Random(plan.seed)
    replicas.start_all()
    await run_push_scenario(
        plan.name,
        invoices=plan.invoices,
        bootstrap=kafka_bootstrap_servers,
        pool=worker_pg_pool,
        sandbox_url=qbo_sandbox_url,
        faults=plan.faults,
        disrupt=kill_now_and_then(replicas, rng, plan),
        describe=lambda: f"{replicas.kills} SIGKILLs",
        latency=plan.latency,
    )
    assert replicas.kills >= plan.least_kills
