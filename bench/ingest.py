"""1. Ingest throughput: the worker (validate, dedupe, snapshot, commit; for changes to invoices
QuickBooks holds, a result through the outbox) against a bare aiokafka consume loop over the
very same records. Two cases: new invoices, then a change to each once QuickBooks holds it."""

from __future__ import annotations

import asyncio
import json
import resource
import time
import uuid
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from bench.common import (
    end_offsets,
    ids_of,
    invoice_records,
    produce_raw,
    table,
    wait_outbox_empty,
    write_json,
)
from bench.meters import BytesMeter, RoundTripMeter, per_unit
from bench.procstat import ProcMeter
from bench.stack import BenchStack
from services.contract.invoices import InvoiceCreated, InvoiceUpdated
from services.contract.parsing import parse_event
from services.contract.topics import Topic
from services.platform.postgres import create_pool
from tests.support import tenants
from tests.support.factories import new_tenant

TOPIC = Topic.INVOICES.value


class _SeekTo(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, consumer: AIOKafkaConsumer, start: dict[int, int]) -> None:
        self.consumer = consumer
        self.start = start

    async def on_partitions_revoked(self, revoked: object) -> None:
        return None

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        for tp in assigned:
            self.consumer.seek(tp, self.start.get(tp.partition, 0))


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def bare_loop(
    bootstrap: str, start: dict[int, int], end: dict[int, int], *, validate: bool
) -> dict[str, Any]:
    """A consumer group member that reads the range, decodes each value (json.loads, or the
    full contract parse with `validate`) and commits after every poll, like the worker."""
    expected = sum(end[p] - start.get(p, 0) for p in end)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"bench-bare-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=500,
    )
    cpu0 = _self_cpu()
    t0 = time.perf_counter()
    await consumer.start()
    consumer.subscribe([TOPIC], listener=_SeekTo(consumer, start))
    seen = 0
    first_at: float | None = None
    try:
        while seen < expected:
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            for tp, records in batches.items():
                for r in records:
                    if r.offset >= end[tp.partition]:
                        continue
                    if validate:
                        parse_event(TOPIC, r.value)
                    else:
                        json.loads(r.value)
                    seen += 1
            if batches:
                first_at = first_at or time.perf_counter()
                await consumer.commit()
        done = time.perf_counter()
    finally:
        await consumer.stop()
    cpu = _self_cpu() - cpu0
    return {
        "events": seen,
        "seconds": done - t0,
        "events_per_second": seen / (done - t0),
        "steady_events_per_second": seen / (done - first_at) if first_at else None,
        "cpu_seconds": cpu,
        "cpu_seconds_per_1000": cpu / seen * 1000,
    }


async def run(stack: BenchStack, *, quick: bool) -> dict[str, Any]:
    n = 5000 if quick else 20000
    pool = await create_pool(stack.dsn, "sync_worker", max_size=4)
    try:
        tenant = new_tenant()
        # One-Way Push: every invoice event is only stored; nothing goes to QuickBooks.
        await tenants.change_settings(stack.bootstrap, pool, tenant, manual_push=True)
        print(f"ingest: building {n:,} invoice.created events ...", flush=True)
        created = invoice_records(tenant, n, "I")
        # New invoices: stored, no result (QuickBooks has no copy, nothing happened there).
        result = await _case(stack, pool, tenant, created, "new invoices, stored", version=1)
        # The same invoices once QuickBooks holds a copy, changed again: each change is
        # stored and answered MANUAL_PUSH_MODE (QuickBooks' copy is behind) through the outbox.
        await _pretend_sent(pool, tenant, ids_of(created))
        changed = _changed(tenant, created)
        result["changes_to_sent_invoices"] = await _case(
            stack, pool, tenant, changed, "changes to sent invoices, stored + result", version=2
        )
    finally:
        await pool.close()
    result["json"] = write_json("ingest", result)
    return result


def _changed(tenant: str, records: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Version 2 of each invoice, as `invoice.updated` events."""
    out = []
    for key, value in records:
        invoice = InvoiceCreated.model_validate_json(value).invoice
        event = InvoiceUpdated(
            tenant_id=tenant, invoice=invoice.model_copy(update={"version": invoice.version + 1})
        )
        out.append((key, event.model_dump_json().encode()))
    return out


async def _pretend_sent(pool: asyncpg.Pool, tenant: str, invoice_ids: list[str]) -> None:
    """Ledger rows as a push would leave them: QuickBooks holds version 1 of each invoice."""
    await pool.execute(
        "INSERT INTO invoice_ledger (tenant_id, invoice_id, realm_id, external_id,"
        " external_number, synced_version)"
        " SELECT $1, id, 'bench-realm', 'qb-' || n, 'Q' || n, 1"
        " FROM unnest($2::text[]) WITH ORDINALITY AS t(id, n)",
        tenant,
        invoice_ids,
    )


async def _case(
    stack: BenchStack,
    pool: asyncpg.Pool,
    tenant: str,
    records: list[tuple[bytes, bytes]],
    label: str,
    *,
    version: int,
) -> dict[str, Any]:
    n = len(records)
    payload_bytes = sum(len(v) for _, v in records)
    stack.stop_worker()  # the backlog builds up while no worker runs
    start = await end_offsets(stack.bootstrap, TOPIC)
    produce_s = await produce_raw(stack.bootstrap, TOPIC, records)
    end = await end_offsets(stack.bootstrap, TOPIC)
    print(f"ingest: {n:,} events ({label}) published in {produce_s:.1f}s; starting the worker")
    worker_result = await _worker(stack, pool, tenant, n, version)
    print("ingest: bare aiokafka loops over the same records ...", flush=True)
    bare = await bare_loop(stack.bootstrap, start, end, validate=False)
    bare_validated = await bare_loop(stack.bootstrap, start, end, validate=True)
    result = {
        "case": label,
        "events": n,
        "avg_event_bytes": payload_bytes / n,
        "publish_seconds": produce_s,
        "worker": worker_result,
        "bare_aiokafka_json": bare,
        "bare_aiokafka_contract_parse": bare_validated,
        "ratio_worker_to_bare": worker_result["events_per_second"] / bare["events_per_second"],
        "ratio_worker_to_bare_parse": worker_result["events_per_second"]
        / bare_validated["events_per_second"],
    }
    _print(result)
    return result


async def _worker(
    stack: BenchStack, pool: asyncpg.Pool, tenant: str, n: int, version: int
) -> dict[str, Any]:
    """Starts the worker on the backlog; measures until every event is stored and the
    outbox has drained."""
    worker = stack.start_worker()
    meters = [ProcMeter("sync-worker", worker.pid)]
    if stack.gateway is not None:
        meters.append(ProcMeter("gateway", stack.gateway.pid))
    assert stack.pg is not None and stack.kafka is not None
    meters.append(ProcMeter("postgres", stack.pg.pid() or 0, postgres=True))
    meters.append(ProcMeter("kafka", stack.kafka.pid))
    trips = RoundTripMeter(stack)
    await trips.start(from_process_start=(worker.name,))
    volume = BytesMeter(stack)
    await volume.start()
    for m in meters:
        m.start()
    t0 = time.perf_counter()
    db_t0 = await pool.fetchval("SELECT clock_timestamp()")
    stored = 0
    while stored < n:
        stored = await pool.fetchval(
            "SELECT count(*) FROM invoice_snapshots WHERE tenant_id = $1 AND version = $2",
            tenant,
            version,
        )
        if time.perf_counter() - t0 > 600:
            raise TimeoutError(f"worker stored only {stored}/{n} in 600s")
        if stored < n:
            await asyncio.sleep(0.05)
    stored_s = time.perf_counter() - t0
    await wait_outbox_empty(pool)
    outbox_s = time.perf_counter() - t0
    resources = [m.stop() for m in meters]
    round_trips = await trips.stop()
    written = await volume.stop()
    first, last = await pool.fetchrow(
        "SELECT min(received_at), max(received_at) FROM invoice_snapshots"
        " WHERE tenant_id = $1 AND version = $2",
        tenant,
        version,
    )
    span = (last - first).total_seconds()
    worker_cpu = float(resources[0]["cpu_seconds"])  # type: ignore[arg-type]
    return {
        "events": n,
        "seconds_to_all_stored": stored_s,
        "events_per_second": n / stored_s,
        "steady_events_per_second": n / span if span > 0 else None,
        "seconds_until_first_stored": (first - db_t0).total_seconds(),
        "seconds_to_outbox_drained": outbox_s,
        "resources": resources,
        "db_round_trips": round_trips,
        "db_round_trips_per_event": per_unit(round_trips, n),
        "wal_bytes_per_event": written["wal_bytes"] / n,
        "cpu_seconds_per_1000": worker_cpu / n * 1000,
    }


def _print(result: dict[str, Any]) -> None:
    worker, n = result["worker"], result["events"]
    rows = [
        (
            "sync worker (to PostgreSQL)",
            n,
            worker["seconds_to_all_stored"],
            worker["events_per_second"],
            worker["steady_events_per_second"] or float("nan"),
            worker["cpu_seconds_per_1000"],
            1.0,
        )
    ]
    for name, key in (
        ("bare aiokafka + json.loads", "bare_aiokafka_json"),
        ("bare aiokafka + contract parse", "bare_aiokafka_contract_parse"),
    ):
        bare = result[key]
        rows.append(
            (
                name,
                bare["events"],
                bare["seconds"],
                bare["events_per_second"],
                bare["steady_events_per_second"] or float("nan"),
                bare["cpu_seconds_per_1000"],
                bare["events_per_second"] / worker["events_per_second"],
            )
        )
    columns = ["consumer", "events", "seconds", "events/s", "steady events/s", "CPU s/1k"]
    title = f"1. Ingest throughput ({n:,} events: {result['case']}; one topic, 12 partitions)"
    print(table(title, rows, [*columns, "x worker"]))
    per_event = worker["db_round_trips_per_event"]
    print(
        f"   worker/bare = {result['ratio_worker_to_bare']:.3f}; outbox drained after "
        f"{worker['seconds_to_outbox_drained']:.1f}s; PostgreSQL round trips per event: "
        f"worker {per_event['sync_worker']:.3f}, gateway {per_event['gateway']:.3f}; "
        f"WAL {worker['wal_bytes_per_event']:,.0f} bytes per event"
    )
