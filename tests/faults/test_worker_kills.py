"""SIGKILL workers during a 1,000-invoice push while QuickBooks throttles, fails and drops
responses after committing; afterwards: no duplicate, nothing missing, one result each."""

from __future__ import annotations

import asyncio
import random

import asyncpg
import pytest

from tests.faults.conftest import Replicas
from tests.faults.scenario import run_push_scenario

pytestmark = pytest.mark.faults


async def test_sigkill_workers_during_push_with_quickbooks_faults(
    replicas: Replicas,
    qbo_sandbox_url: str,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    rng = random.Random(20261125)
    replicas.start_all()
    next_kill = rng.uniform(3, 6)

    async def kill_now_and_then(elapsed: float, _done: int) -> None:
        nonlocal next_kill
        if elapsed >= next_kill and replicas.kills < 6:
            victim = replicas.sigkill_random(rng)
            await asyncio.sleep(rng.uniform(0.5, 2.0))
            replicas.start(victim)
            next_kill = elapsed + rng.uniform(4, 8)

    await run_push_scenario(
        "SIGKILL 2 workers + QBO 429/5xx/drop-after-commit",
        invoices=1000,
        bootstrap=kafka_bootstrap_servers,
        pool=worker_pg_pool,
        sandbox_url=qbo_sandbox_url,
        faults=[
            {"kind": "throttle", "rate": 0.04},
            {"kind": "server_error", "rate": 0.04, "status": 503},
            {
                "kind": "drop_after_commit",
                "rate": 0.02,
                "endpoint": "invoice.create",
                "mode": "abort",
            },
            {
                "kind": "drop_after_commit",
                "rate": 0.01,
                "endpoint": "invoice.create",
                "hang_seconds": 5,
            },
            # Creates that waited on the rate limit go as `/batch`: the same ambiguity there.
            {"kind": "drop_after_commit", "rate": 0.05, "endpoint": "batch", "mode": "abort"},
            {"kind": "drop_after_commit", "rate": 0.02, "endpoint": "batch", "hang_seconds": 5},
        ],
        disrupt=kill_now_and_then,
        describe=lambda: f"{replicas.kills} SIGKILLs",
    )
    assert replicas.kills >= 3


async def test_sigkill_workers_during_push_under_quickbooks_latency(
    replicas: Replicas,
    qbo_sandbox_url: str,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    """The same guarantees when QuickBooks answers in hundreds of milliseconds (the `intuit`
    profile: p50 300 ms, p99 1.2 s), so many calls are in flight when a replica dies and the
    company's lease must pass to the survivor after it runs out."""
    rng = random.Random(20261129)
    replicas.start_all()
    next_kill = rng.uniform(3, 5)

    async def kill_now_and_then(elapsed: float, _done: int) -> None:
        nonlocal next_kill
        if elapsed >= next_kill and replicas.kills < 3:
            victim = replicas.sigkill_random(rng)
            await asyncio.sleep(rng.uniform(0.5, 2.0))
            replicas.start(victim)
            next_kill = elapsed + rng.uniform(5, 9)

    await run_push_scenario(
        "SIGKILL 2 workers + QBO latency (intuit) + 429/5xx/drop-after-commit",
        invoices=400,
        bootstrap=kafka_bootstrap_servers,
        pool=worker_pg_pool,
        sandbox_url=qbo_sandbox_url,
        faults=[
            {"kind": "throttle", "rate": 0.03},
            {"kind": "server_error", "rate": 0.03, "status": 503},
            {
                "kind": "drop_after_commit",
                "rate": 0.02,
                "endpoint": "invoice.create",
                "mode": "abort",
            },
            {"kind": "drop_after_commit", "rate": 0.05, "endpoint": "batch", "mode": "abort"},
        ],
        disrupt=kill_now_and_then,
        describe=lambda: f"{replicas.kills} SIGKILLs",
        latency="intuit",
    )
    assert replicas.kills >= 2
