"""Any number of replicas give the same answer; killing one mid-batch loses nothing."""

from __future__ import annotations

import asyncio
import os
import signal

import httpx
import pytest

from deploy.local.processes import pid_alive
from deploy.local.services import ServiceProcess, start_gateway
from tests.integration.gateway.helpers import ADMIN, push, wait_for_progress
from tests.integration.gateway.results import publish_results, result
from tests.integration.gateway.sse import EventCollector
from tests.support.environment import log_dir
from tests.support.factories import new_tenant

pytestmark = pytest.mark.e2e


def _statuses(n: int) -> list[str]:
    return ["failed" if i % 7 == 3 else "skipped" if i % 11 == 5 else "succeeded" for i in range(n)]


async def test_two_replicas_serve_identical_progress_and_every_sse_client_sees_every_result(
    gateways: list[ServiceProcess], kafka_bootstrap_servers: str
) -> None:
    first, second = (g.url or "" for g in gateways)
    tenant, n = new_tenant(), 30
    ids = [f"rep-{i:02d}" for i in range(n)]
    async with httpx.AsyncClient(base_url=first) as one, httpx.AsyncClient(base_url=second) as two:
        batch_id = (await push(one, tenant, ids)).json()["batch_id"]
        await wait_for_progress(two, tenant, batch_id, lambda p: True)
        path = f"/v1/tenants/{tenant}/push-batches/{batch_id}/events"
        async with (
            EventCollector(first, path, headers=ADMIN) as sse_one,
            EventCollector(second, path, headers=ADMIN) as sse_two,
        ):
            await sse_one.wait_for(lambda evs: len(evs) >= 1)
            await sse_two.wait_for(lambda evs: len(evs) >= 1)
            events = [
                result(tenant, batch_id, i, s, batch_size=n)
                for i, s in zip(ids, _statuses(n), strict=True)
            ]
            for start in range(0, n, 5):
                await publish_results(kafka_bootstrap_servers, events[start : start + 5])
                await asyncio.sleep(0.4)
            for sse in (sse_one, sse_two):
                await sse.wait_for(lambda evs: any(e.event == "end" for e in evs))

        for sse in (sse_one, sse_two):
            changes = [e for e in sse.events if e.event == "invoice"]
            assert [int(e.id or 0) for e in changes] == list(range(1, n + 1))
            assert sorted(c["invoice"]["invoice_id"] for c in sse.of("invoice")) == ids
        assert sse_one.of("end") == sse_two.of("end")

        progress_one = await wait_for_progress(one, tenant, batch_id, lambda p: True)
        progress_two = await wait_for_progress(two, tenant, batch_id, lambda p: True)
        assert progress_one == progress_two
        expected_failed = _statuses(n).count("failed")
        assert progress_one["counts"] == {
            "total": n,
            "succeeded": _statuses(n).count("succeeded"),
            "failed": expected_failed,
            "skipped": _statuses(n).count("skipped"),
            "pending": 0,
        }
        rows_one = (
            await one.get(f"/v1/tenants/{tenant}/push-batches/{batch_id}/invoices", headers=ADMIN)
        ).json()
        rows_two = (
            await two.get(f"/v1/tenants/{tenant}/push-batches/{batch_id}/invoices", headers=ADMIN)
        ).json()
        assert rows_one == rows_two


async def test_a_replica_killed_mid_batch_and_restarted_keeps_counts_exact(
    gateways: list[ServiceProcess], gateway_env: dict[str, str], kafka_bootstrap_servers: str
) -> None:
    tenant, n = new_tenant(), 60
    ids = [f"kill-{i:02d}" for i in range(n)]
    statuses = _statuses(n)
    async with httpx.AsyncClient(base_url=gateways[0].url or "") as one:
        batch_id = (await push(one, tenant, ids)).json()["batch_id"]
        events = [
            result(tenant, batch_id, i, s, batch_size=n) for i, s in zip(ids, statuses, strict=True)
        ]

        async def publish_slowly() -> None:
            for start in range(0, n, 3):
                await publish_results(kafka_bootstrap_servers, events[start : start + 3])
                await asyncio.sleep(0.1)

        publisher = asyncio.create_task(publish_slowly())
        await wait_for_progress(
            one, tenant, batch_id, lambda p: p["counts"]["pending"] < n - 5, timeout=60
        )
        victim = gateways[1]
        os.killpg(victim.pid, signal.SIGKILL)
        for _ in range(50):
            if not pid_alive(victim.pid):
                break
            await asyncio.sleep(0.1)
        assert not pid_alive(victim.pid)
        await publisher
        await publish_results(kafka_bootstrap_servers, events)  # every result redelivered
        gateways[1] = start_gateway(log_dir(), gateway_env, name="gateway-2")

        async with httpx.AsyncClient(base_url=gateways[1].url or "") as two:
            for client in (one, two):
                done = await wait_for_progress(
                    client,
                    tenant,
                    batch_id,
                    lambda p: p["state"].startswith("completed"),
                    timeout=90,
                )
                assert done["counts"] == {
                    "total": n,
                    "succeeded": statuses.count("succeeded"),
                    "failed": statuses.count("failed"),
                    "skipped": statuses.count("skipped"),
                    "pending": 0,
                }
                assert done["last_event_id"] == n  # one change per invoice, none twice
            replay = EventCollector(
                gateways[1].url or "",
                f"/v1/tenants/{tenant}/push-batches/{batch_id}/events",
                headers=ADMIN,
                last_event_id="0",
            )
            async with replay:
                await asyncio.wait_for(replay.finished.wait(), 30)
            assert [int(e.id or 0) for e in replay.events if e.event == "invoice"] == list(
                range(1, n + 1)
            )
            assert replay.events[-1].event == "end"
