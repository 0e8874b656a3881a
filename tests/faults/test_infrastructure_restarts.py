"""Kafka and PostgreSQL restart in the middle of a push; QuickBooks throttles in storms."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.faults.conftest import Replicas
from tests.faults.scenario import run_push_scenario
from tests.support.infrastructure import Service

pytestmark = pytest.mark.faults


def _restart_once(service: Service, at_results: int) -> tuple[object, list[int]]:
    restarts: list[int] = []

    async def disrupt(_elapsed: float, done: int) -> None:
        if not restarts and done >= at_results:
            assert service.restart is not None
            await asyncio.to_thread(service.restart)
            restarts.append(done)

    return disrupt, restarts


async def _push_through_one_restart(
    scenario: str, service: Service, bootstrap: str, pool: asyncpg.Pool, sandbox_url: str
) -> None:
    """Runs a 300-invoice push and restarts `service` once 60 results are in."""
    disrupt, restarts = _restart_once(service, at_results=60)
    await run_push_scenario(
        scenario,
        invoices=300,
        bootstrap=bootstrap,
        pool=pool,
        sandbox_url=sandbox_url,
        faults=[],
        disrupt=disrupt,  # type: ignore[arg-type]
        describe=lambda: f"restarted after {restarts[0] if restarts else '-'} results",
    )
    assert restarts, f"{scenario}: the restart never happened"


async def test_kafka_broker_restart_mid_push(
    replicas: Replicas,
    kafka_service: Service,
    qbo_sandbox_url: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    assert kafka_service.restart is not None, "this scenario needs the project's own broker"
    replicas.start_all()
    await _push_through_one_restart(
        "Kafka broker restart", kafka_service, kafka_service.url, worker_pg_pool, qbo_sandbox_url
    )


async def test_postgres_restart_mid_push(
    replicas: Replicas,
    postgres_service: Service,
    kafka_bootstrap_servers: str,
    qbo_sandbox_url: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    assert postgres_service.restart is not None, "this scenario needs the project's own server"
    replicas.start_all()
    await _push_through_one_restart(
        "PostgreSQL restart",
        postgres_service,
        kafka_bootstrap_servers,
        worker_pg_pool,
        qbo_sandbox_url,
    )


async def test_quickbooks_429_storm_with_xml_bodies(
    replicas: Replicas,
    kafka_bootstrap_servers: str,
    qbo_sandbox_url: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    replicas.start_all()

    async def nothing(_elapsed: float, _done: int) -> None:
        return None

    outcome = await run_push_scenario(
        "QBO 429 storm (50%, XML bodies)",
        invoices=200,
        bootstrap=kafka_bootstrap_servers,
        pool=worker_pg_pool,
        sandbox_url=qbo_sandbox_url,
        faults=[{"kind": "throttle", "rate": 0.5, "xml": True}],
        disrupt=nothing,
        describe=lambda: "half of all calls throttled",
    )
    assert outcome.stats["throttled"] > 50, "the storm did happen"
