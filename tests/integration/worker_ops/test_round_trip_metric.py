"""A running worker replica exports its PostgreSQL statement count on /metrics, and the
count grows while it works (the exact counting is tested in tests/integration/platform)."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from services.contract.topics import Topic, invoice_key
from tests.support.factories import invoice_created, new_tenant
from tests.support.kafka import produce

pytestmark = pytest.mark.integration

_SAMPLE = re.compile(r'^db_round_trips_total\{service="sync_worker"\} (\S+)$', re.MULTILINE)


async def _round_trips(client: httpx.AsyncClient) -> float:
    match = _SAMPLE.search((await client.get("/metrics")).text)
    assert match, "db_round_trips_total{service=sync_worker} missing"
    return float(match.group(1))


async def test_the_worker_process_exports_a_growing_round_trip_count(
    running_worker: object, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    event = invoice_created(tenant)
    async with httpx.AsyncClient(base_url=running_worker.url) as client:  # type: ignore[attr-defined]
        before = await _round_trips(client)
        assert before > 0  # start-up, readiness and housekeeping already used the pool
        await produce(
            kafka_bootstrap_servers,
            Topic.INVOICES,
            event,
            invoice_key(tenant, event.invoice.invoice_id),
        )
        # Storing the event alone takes BEGIN, the dedupe, the snapshot and COMMIT.
        deadline = time.monotonic() + 30
        while (after := await _round_trips(client)) < before + 4:
            assert time.monotonic() < deadline, (before, after)
            await asyncio.sleep(0.3)
