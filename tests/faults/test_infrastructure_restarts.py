"""Kafka and PostgreSQL restart in the middle of a push; QuickBooks throttles in storms."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.faults.conftest import Replicas
from tests.faults.scenario import once_after, run_push_scenario
from tests.support.infrastructure import Service

pytestmark = pytest.mark.faults


@pytest.mark.parametrize(
    ("scenario", "service_fixture"),
    [("Kafka broker restart", "kafka_service"), ("PostgreSQL restart", "postgres_service")],
    ids=["kafka", "postgres"],
)
async def test_restart_mid_push(
    scenario: str,
    service_fixture: str,
    request: pytest.FixtureRequest,
    replicas: Replicas,
    kafka_bootstrap_servers: str,
    qbo_sandbox_url: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    """A 300-invoice push; the service restarts once 60 results are in."""
    service: Service = request.getfixturevalue(service_fixture)
    assert service.restart is not None, f"{scenario} needs the project's own server"
    replicas.start_all()
    restart = service.restart
    disrupt, restarts = once_after(60, lambda: asyncio.to_thread(restart))
    await run_push_scenario(
        scenario,
        invoices=300,
        bootstrap=kafka_bootstrap_servers,
        pool=worker_pg_pool,
        sandbox_url=qbo_sandbox_url,
        disrupt=disrupt,
        describe=lambda: f"restarted after {restarts[0] if restarts else '-'} results",
    )
    assert restarts, f"{scenario}: the restart never happened"


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
