"""1. Ingest throughput: the worker (validate, dedupe, snapshot, result to the outbox, commit)
against a bare aiokafka consume loop over the very same records."""

from __future__ import annotations

import asyncio
import json
import resource
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from bench.common import (
    end_offsets,
    invoice_records,
    produce_raw,
    table,
    wait_outbox_empty,
    write_json,
)
from bench.meters import BytesMeter, RoundTripMeter, per_unit
from bench.procstat import ProcMeter
from bench.stack import BenchStack
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
        # One-Way Push: every invoice event is only stored (and answered with a
        # MANUAL_PUSH_MODE result through the outbox); nothing goes to QuickBooks.
        await tenants.change_settings(stack.bootstrap, pool, tenant, manual_push=True)
        print(f"ingest: building {n:,} invoice.created events ...", flush=True)
        records = invoice_records(tenant, n, "I")
        payload_bytes = sum(len(v) for _, v in records)

        stack.stop_worker()  # the backlog builds up while no worker runs
        start = await end_offsets(stack.bootstrap, TOPIC)
        produce_s = await produce_raw(stack.bootstrap, TOPIC, records)
        end = await end_offsets(stack.bootstrap, TOPIC)
        print(
            f"ingest: {n:,} events published in {produce_s:.1f}s; starting the worker", flush=True
        )

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
                "SELECT count(*) FROM invoice_snapshots WHERE tenant_id = $1", tenant
            )
            if time.perf_counter() - t0 > 600:
                raise TimeoutError(f"worker stored only {stored}/{n} in 600s")
            if stored < n:
                await asyncio.sleep(0.05)
        stored_s = time.perf_counter() - t0
        await wait_outbox_empty(pool)
        outbox_s = time.perf_counter() - t0
        worker_resources = [m.stop() for m in meters]
        round_trips = await trips.stop()
        written = await volume.stop()
        first, last = await pool.fetchrow(
            "SELECT min(received_at), max(received_at) FROM invoice_snapshots WHERE tenant_id=$1",
            tenant,
        )
        processed = await pool.fetchval(
            "SELECT count(*) FROM processed_events WHERE topic = $1", TOPIC
        )
    finally:
        await pool.close()

    span = (last - first).total_seconds()
    worker_result = {
        "events": n,
        "seconds_to_all_stored": stored_s,
        "events_per_second": n / stored_s,
        "steady_events_per_second": n / span if span > 0 else None,
        "seconds_until_first_stored": (first - db_t0).total_seconds(),
        "seconds_to_outbox_drained": outbox_s,
        "processed_events_rows": processed,
        "resources": worker_resources,
        "db_round_trips": round_trips,
        "db_round_trips_per_event": per_unit(round_trips, n),
        "wal_bytes_per_event": written["wal_bytes"] / n,
    }
    print("ingest: bare aiokafka loops over the same records ...", flush=True)
    bare = await bare_loop(stack.bootstrap, start, end, validate=False)
    bare_validated = await bare_loop(stack.bootstrap, start, end, validate=True)
    worker_cpu = float(worker_resources[0]["cpu_seconds"])  # type: ignore[arg-type]
    worker_result["cpu_seconds_per_1000"] = worker_cpu / n * 1000
    result = {
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
    rows = [
        (
            "sync worker (to PostgreSQL)",
            n,
            stored_s,
            worker_result["events_per_second"],
            worker_result["steady_events_per_second"] or float("nan"),
            worker_result["cpu_seconds_per_1000"],
            1.0,
        ),
        (
            "bare aiokafka + json.loads",
            bare["events"],
            bare["seconds"],
            bare["events_per_second"],
            bare["steady_events_per_second"] or float("nan"),
            bare["cpu_seconds_per_1000"],
            bare["events_per_second"] / worker_result["events_per_second"],
        ),
        (
            "bare aiokafka + contract parse",
            bare_validated["events"],
            bare_validated["seconds"],
            bare_validated["events_per_second"],
            bare_validated["steady_events_per_second"] or float("nan"),
            bare_validated["cpu_seconds_per_1000"],
            bare_validated["events_per_second"] / worker_result["events_per_second"],
        ),
    ]
    print(
        table(
            f"1. Ingest throughput ({n:,} invoice events, one topic, 12 partitions)",
            rows,
            [
                "consumer",
                "events",
                "seconds",
                "events/s",
                "steady events/s",
                "CPU s/1k",
                "x worker",
            ],
        )
    )
    per_event = per_unit(round_trips, n)
    print(
        f"   worker/bare = {result['ratio_worker_to_bare']:.3f}; outbox (MANUAL_PUSH_MODE "
        f"results) drained after {outbox_s:.1f}s; PostgreSQL round trips per event: "
        f"worker {per_event['sync_worker']:.3f}, gateway {per_event['gateway']:.3f}; "
        f"WAL {worker_result['wal_bytes_per_event']:,.0f} bytes per event"
    )
    result["json"] = write_json("ingest", result)
    return result
