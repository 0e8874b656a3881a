"""A worker replica's operational surface: health, metrics, and a graceful SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid

import asyncpg
import httpx
import pytest

from deploy.local.processes import pid_alive
from deploy.local.services import start_worker
from services.contract.topics import Topic, invoice_key
from tests.support import tenants
from tests.support.environment import log_dir
from tests.support.factories import invoice_created, new_tenant
from tests.support.kafka import TopicReader, produce
from tests.support.sandbox import SandboxAdmin
from tests.support.services import stop_leftover_workers

pytestmark = pytest.mark.integration


# Runs first: no other replica may claim the unit while this one drains.
async def test_sigterm_finishes_the_unit_in_flight_then_exits(
    service_env: dict[str, str],
    qbo_sandbox_url: str,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    stop_leftover_workers()
    worker = start_worker(log_dir(), {**service_env, "WORKER_ID": "drain-me"}, name="drain-me")
    sandbox = SandboxAdmin(qbo_sandbox_url)
    try:
        tenant, realm = await tenants.one_way_push_company(
            kafka_bootstrap_servers, worker_pg_pool, sandbox
        )
        event = invoice_created(tenant)
        invoice_id = event.invoice.invoice_id
        await tenants.publish_invoices(kafka_bootstrap_servers, worker_pg_pool, [event])
        await sandbox.add_fault(
            realm["realm_id"], kind="latency", latency_ms=2500, endpoint="invoice.create"
        )
        batch_id = uuid.uuid4()
        async with TopicReader(kafka_bootstrap_servers, Topic.RESULTS) as results:
            await tenants.push(
                kafka_bootstrap_servers, tenant, [invoice_id], batch_id=batch_id, requested_by="t"
            )
            await tenants.wait_for_row(
                worker_pg_pool,
                "SELECT 1 FROM work_items WHERE batch_id = $1 AND state = 'in_flight' "
                "AND leased_by = 'drain-me'",
                batch_id,
            )
            os.kill(worker.pid, signal.SIGTERM)
            stopped = time.monotonic()
            while pid_alive(worker.pid) and time.monotonic() - stopped < 20:
                await asyncio.sleep(0.1)
            assert not pid_alive(worker.pid), "worker did not exit within its grace period"
            [record] = await results.wait_for(
                lambda r: r.json().get("batch_id") == str(batch_id), timeout=15
            )
        assert record.json()["event_type"] == "invoice.sync.succeeded"
        state = await worker_pg_pool.fetchval(
            "SELECT state FROM work_items WHERE batch_id = $1", batch_id
        )
        assert state == "done"
        assert len(await sandbox.live_invoices(realm["realm_id"])) == 1
        # A clean stop hands the company back and stops counting as a live replica.
        lease = await worker_pg_pool.fetchrow(
            "SELECT owner FROM realm_leases WHERE realm_id = $1", realm["realm_id"]
        )
        assert lease is not None and lease["owner"] is None
        assert not await worker_pg_pool.fetchval(
            "SELECT count(*) FROM worker_heartbeats WHERE worker_id = 'drain-me'"
        )
    finally:
        worker.stop()
        await sandbox.aclose()


async def test_health_and_metrics_endpoints(
    running_worker: object, kafka_bootstrap_servers: str
) -> None:
    url = running_worker.url  # type: ignore[attr-defined]
    tenant = new_tenant()
    event = invoice_created(tenant)
    await produce(
        kafka_bootstrap_servers,
        Topic.INVOICES,
        event,
        invoice_key(tenant, event.invoice.invoice_id),
    )
    await produce(kafka_bootstrap_servers, Topic.INVOICES, b"not json", b"x")
    async with httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"postgres": "ok", "kafka": "ok"}
        deadline = time.monotonic() + 30
        while True:
            text = (await client.get("/metrics")).text
            if (
                'sync_dead_letters_total{topic="mediaos.invoices.v1"}' in text
                and "sync_units_processed_total{" in text  # a sample, not only HELP
                and "sync_worker_heartbeat_timestamp_seconds" in text
            ):
                break
            assert time.monotonic() < deadline, text[-3000:]
            await asyncio.sleep(0.5)
    assert 'sync_events_consumed_total{outcome="stored",topic="mediaos.invoices.v1"}' in text
    assert "sync_outbox_backlog" in text
    units = [ln for ln in text.splitlines() if ln.startswith("sync_units_processed_total{")]
    assert units and all('result="' in ln and 'code="' in ln for ln in units), units
    assert "outcome=" not in "".join(units)
    # Every (state, kind) pair is exported, even with nothing in that state.
    for state in ("queued", "in_flight"):
        for kind in ("auto", "push", "inbound", "cdc"):
            assert f'sync_work_items{{kind="{kind}",state="{state}"}}' in text
    assert event.invoice.invoice_id not in text, "no invoice ids in labels"
