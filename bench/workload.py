"""The month-end workload, shared by `month_end` and `scaling`.

N tenants with M invoices each, every tenant on its own sandbox company at QuickBooks'
default limits, push all their invoices at once (the N `push.requested` are published back
to back by one producer) under the sandbox's latency profile. A probe tenant sends a
5-invoice batch when 10 %, 40 % and 70 % of the large batches' results have arrived.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import asyncpg

from bench.common import (
    ResultWatcher,
    connected_tenant,
    ids_of,
    invoice_records,
    produce_raw,
    push,
    push_record,
    records_per_tenant,
)
from bench.meters import BytesMeter, RoundTripMeter, meters
from bench.session import store_invoices
from bench.stack import BenchStack
from services.contract.topics import Topic
from tests.support.sandbox import SandboxAdmin

SMALL = 5
PROBE_AT = (0.10, 0.40, 0.70)  # share of the large batches' results done
TIMEOUT_S = 1200


@dataclass
class Tenants:
    big: list[tuple[str, str]]  # (tenant, realm) pushing the large batches
    ids: dict[str, list[str]]
    probe: tuple[str, str]
    probe_ids: list[str]  # warm-up, idle baseline, then one batch per PROBE_AT

    @property
    def realms(self) -> list[str]:
        return [r for _, r in self.big] + [self.probe[1]]


async def prepare(
    stack: BenchStack,
    sandbox: SandboxAdmin,
    pool: asyncpg.Pool,
    n_tenants: int,
    per_tenant: int,
    tag: str,
) -> Tenants:
    """Connects the tenants (4 at a time) and ingests their invoices; nothing is pushed."""
    gate = asyncio.Semaphore(4)

    async def one() -> tuple[str, str]:
        async with gate:
            return await connected_tenant(stack, sandbox, pool)

    print(f"{tag}: connecting {n_tenants} + 1 tenants (own realms) ...", flush=True)
    pairs = list(await asyncio.gather(*(one() for _ in range(n_tenants + 1))))
    big, probe = pairs[:-1], pairs[-1]
    ids, records = records_per_tenant([t for t, _ in big], per_tenant, tag[:1].upper())
    probe_records = invoice_records(probe[0], SMALL * (2 + len(PROBE_AT)), "Q")
    records.extend(probe_records)
    print(f"{tag}: ingesting {len(records):,} invoices ...", flush=True)
    await store_invoices(stack, pool, [t for t, _ in pairs], records, within=600)
    return Tenants(big, ids, probe, ids_of(probe_records))


async def set_latency(sandbox: SandboxAdmin, spec: str) -> dict[str, Any] | None:
    """Sets the sandbox's global latency profile (`off`, `intuit`, `p50=MS,p99=MS`)."""
    body = await sandbox.set_latency(profile=spec)
    profile: dict[str, Any] | None = body.get("latency")
    return profile


async def _probe_batch(
    stack: BenchStack, watcher: ResultWatcher, tenant: str, ids: list[str]
) -> list[float]:
    started = time.perf_counter()
    batch = await push(stack.bootstrap, tenant, ids)
    watcher.watch(batch)
    await watcher.wait(batch, len(ids), within=120)
    return [a.at - started for a in watcher.first_per_invoice(batch).values()]


async def drive(stack: BenchStack, sandbox: SandboxAdmin, tenants: Tenants) -> dict[str, Any]:
    """Runs the pushes; returns raw measurements (see `month_end.report`)."""
    probe_tenant = tenants.probe[0]
    probe_ids = tenants.probe_ids
    async with ResultWatcher(stack.bootstrap) as watcher:
        # Warm-up: the probe's token and customer exist afterwards, so every later probe
        # batch is one invoice.create per invoice, like the baseline.
        await _probe_batch(stack, watcher, probe_tenant, probe_ids[:SMALL])
        idle = await _probe_batch(stack, watcher, probe_tenant, probe_ids[SMALL : 2 * SMALL])
        before = {realm: await sandbox.stats(realm) for realm in tenants.realms}
        ms = meters(stack)
        trips, volume = RoundTripMeter(stack), BytesMeter(stack)
        await trips.start()
        await volume.start()
        for m in ms:
            m.start()
        batches: dict[str, str] = {}
        records = []
        for tenant, _ in tenants.big:
            batch, record = push_record(tenant, tenants.ids[tenant])
            watcher.watch(batch)
            batches[tenant] = batch
            records.append(record)
        t0 = time.perf_counter()
        await produce_raw(stack.bootstrap, Topic.PUSH_REQUESTS.value, records)
        published_s = time.perf_counter() - t0
        probes = await _follow(stack, watcher, tenants, batches)
        wall = time.perf_counter() - t0
        resources = [m.stop() for m in ms]
        round_trips = await trips.stop()
        written = await volume.stop()
        after = {realm: await sandbox.stats(realm) for realm in tenants.realms}
        finish = {
            t: max(a.at for a in watcher.first_per_invoice(b).values()) - t0
            for t, b in batches.items()
        }
        outcomes: dict[str, int] = {}
        for b in batches.values():
            for a in watcher.first_per_invoice(b).values():
                outcomes[a.event_type] = outcomes.get(a.event_type, 0) + 1
    return {
        "wall_seconds": wall,
        "publish_seconds": published_s,
        "finish_seconds": finish,
        "outcomes": outcomes,
        "idle_probe_seconds": idle,
        "probes": probes,
        "stats_before": before,
        "stats_after": after,
        "resources": resources,
        "db_round_trips": round_trips,
        "bytes": written,
    }


async def _follow(
    stack: BenchStack, watcher: ResultWatcher, tenants: Tenants, batches: dict[str, str]
) -> list[dict[str, Any]]:
    """Waits for every large batch; sends the probe batches on the way."""
    total = sum(len(v) for v in tenants.ids.values())
    pending = list(PROBE_AT)
    probe_tasks: list[tuple[float, float, asyncio.Task[list[float]]]] = []
    deadline = time.monotonic() + TIMEOUT_S
    started = time.perf_counter()
    while True:
        done = sum(watcher.distinct(b) for b in batches.values())
        if pending and done >= pending[0] * total:
            share = pending.pop(0)
            k = len(probe_tasks) + 2
            ids = tenants.probe_ids[k * SMALL : (k + 1) * SMALL]
            task = asyncio.create_task(_probe_batch(stack, watcher, tenants.probe[0], ids))
            probe_tasks.append((share, time.perf_counter() - started, task))
        if done >= total and not pending and all(t.done() for _, _, t in probe_tasks):
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {done}/{total} results after {TIMEOUT_S}s")
        await asyncio.sleep(0.05)
    return [
        {"share": share, "submitted_after_s": at, "seconds": task.result()}
        for share, at, task in probe_tasks
    ]
