"""Shared pieces: percentiles, tables, JSON output, Kafka helpers, tenant set-up."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.realm_stats import api_calls as api_calls
from bench.realm_stats import diff_counts as diff_counts
from bench.realm_stats import ideal_seconds as ideal_seconds
from bench.realm_stats import single_calls as single_calls
from bench.stack import RESULTS, BenchStack
from services.contract.push import PushRequested
from services.contract.topics import Topic, invoice_key, tenant_key
from tests.support import tenants
from tests.support.factories import invoice_created
from tests.support.kafka import produce
from tests.support.sandbox import SandboxAdmin

# -- statistics / output ---------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); with few samples p99 is the maximum."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p90": percentile(values, 90),
        "p99": percentile(values, 99),
        "max": max(values) if values else math.nan,
        "mean": sum(values) / len(values) if values else math.nan,
    }


def table(title: str, rows: Iterable[Sequence[object]], headers: Sequence[str]) -> str:
    body = [[_cell(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in body:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    line = "+".join("-" * (w + 2) for w in widths)
    out = [f"\n{title}", line]
    out.append(" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    out.append(line)
    for row in body:
        out.append(" | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    out.append(line)
    return "\n".join(out)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def write_json(name: str, payload: dict[str, Any]) -> str:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return str(path.relative_to(RESULTS.parents[1]))


# -- Kafka -----------------------------------------------------------------------------------


async def produce_raw(bootstrap: str, topic: str, items: Sequence[tuple[bytes, bytes]]) -> float:
    """Publishes pre-serialised records as fast as the broker takes them; returns seconds."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=20, max_batch_size=256 * 1024
    )
    await producer.start()
    started = time.perf_counter()
    try:
        futures = [await producer.send(topic, value, key=key) for key, value in items]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return time.perf_counter() - started


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    # The consumer only keeps metadata of what it subscribed to: ask the cluster.
    cluster = await consumer._client.fetch_all_metadata()
    partitions = cluster.partitions_for_topic(topic)
    if not partitions:
        raise RuntimeError(f"topic {topic} does not exist")
    return [TopicPartition(topic, p) for p in sorted(partitions)]


async def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        tps = await _partitions(consumer, topic)
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        return {tp.partition: off for tp, off in ends.items()}
    finally:
        await consumer.stop()


@dataclass
class Arrival:
    invoice_id: str
    event_type: str
    batch_id: str
    at: float  # time.perf_counter() when this process read it
    error_code: str | None


@dataclass
class ResultWatcher:
    """Follows `sync.results.v1` from its current end; records results of watched batches."""

    bootstrap: str
    batches: set[str] = field(default_factory=set)
    arrivals: dict[str, list[Arrival]] = field(default_factory=dict)
    _consumer: AIOKafkaConsumer | None = None
    _task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ResultWatcher:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            fetch_max_wait_ms=50,
        )
        await self._consumer.start()
        try:
            tps = await _partitions(self._consumer, Topic.RESULTS.value)
            self._consumer.assign(tps)
            await self._consumer.seek_to_end(*tps)
            for tp in tps:  # resolve the positions now, before anything is published
                await self._consumer.position(tp)
        except BaseException:
            await self._consumer.stop()
            raise
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()

    def watch(self, batch_id: str) -> None:
        self.batches.add(batch_id)
        self.arrivals.setdefault(batch_id, [])

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            batches = await self._consumer.getmany(timeout_ms=100, max_records=5000)
            now = time.perf_counter()
            for records in batches.values():
                for r in records:
                    body = json.loads(r.value)
                    batch_id = body.get("batch_id")
                    if batch_id in self.batches:
                        error = body.get("error") or {}
                        self.arrivals[batch_id].append(
                            Arrival(
                                body["invoice_id"],
                                body["event_type"],
                                batch_id,
                                now,
                                error.get("code"),
                            )
                        )

    def distinct(self, batch_id: str) -> int:
        return len({a.invoice_id for a in self.arrivals.get(batch_id, [])})

    def first_per_invoice(self, batch_id: str) -> dict[str, Arrival]:
        first: dict[str, Arrival] = {}
        for a in self.arrivals.get(batch_id, []):
            first.setdefault(a.invoice_id, a)
        return first

    async def wait(self, batch_id: str, count: int, within: float) -> bool:
        deadline = time.monotonic() + within
        while self.distinct(batch_id) < count:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True


def push_record(tenant: str, invoice_ids: list[str]) -> tuple[str, tuple[bytes, bytes]]:
    """A `push.requested` as MediaOS core or the gateway publishes it: (batch id, record)."""
    batch_id = uuid.uuid4()
    event = PushRequested(
        tenant_id=tenant, batch_id=batch_id, invoice_ids=invoice_ids, requested_by="bench"
    )
    return str(batch_id), (tenant_key(tenant), event.model_dump_json().encode())


async def push(bootstrap: str, tenant: str, invoice_ids: list[str]) -> str:
    """Publishes one `push.requested`; returns its batch id."""
    batch_id, (key, value) = push_record(tenant, invoice_ids)
    await produce(bootstrap, Topic.PUSH_REQUESTS, value, key)
    return batch_id


# -- tenants ---------------------------------------------------------------------------------


def invoice_records(tenant: str, count: int, prefix: str) -> list[tuple[bytes, bytes]]:
    records = []
    for i in range(count):
        # Ids from the index: random 8-hex ids collide in ~5 % of 20,000-event runs.
        event = invoice_created(
            tenant, number=f"{prefix}{i:06d}", invoice_id=f"inv-{prefix.lower()}-{i:06d}"
        )
        records.append(
            (invoice_key(tenant, event.invoice.invoice_id), event.model_dump_json().encode())
        )
    return records


def ids_of(records: Sequence[tuple[bytes, bytes]]) -> list[str]:
    return [json.loads(v)["invoice"]["invoice_id"] for _, v in records]


def records_per_tenant(
    tenant_ids: Sequence[str], count: int, prefix: str
) -> tuple[dict[str, list[str]], list[tuple[bytes, bytes]]]:
    """`count` invoices for each tenant (numbered `{prefix}{i}-…` for the i-th): the
    invoice ids by tenant, and all the records."""
    ids: dict[str, list[str]] = {}
    records: list[tuple[bytes, bytes]] = []
    for i, tenant in enumerate(tenant_ids):
        mine = invoice_records(tenant, count, f"{prefix}{i}-")
        ids[tenant] = ids_of(mine)
        records.extend(mine)
    return ids, records


async def connected_tenant(
    stack: BenchStack,
    sandbox: SandboxAdmin,
    pool: asyncpg.Pool,
    *,
    limits: dict[str, int] | None = None,
) -> tuple[str, str]:
    """A tenant in One-Way Push (manual_push) connected to a fresh QuickBooks company whose
    item is mapped; QuickBooks' default limits unless `limits`."""
    keys = stack.env["TOKEN_ENCRYPTION_KEYS"]
    tenant, realm = await tenants.one_way_push_company(
        stack.bootstrap, pool, sandbox, limits=limits, encryption_keys=keys
    )
    return tenant, str(realm["realm_id"])


async def wait_count(
    pool: asyncpg.Pool, query: str, *args: object, at_least: int, what: str, within: float = 180
) -> None:
    """Polls `query` (a `SELECT count(*)`) until it counts `at_least` rows."""
    deadline = time.monotonic() + within
    while True:
        n = await pool.fetchval(query, *args)
        if n >= at_least:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {n}/{at_least} {what} after {within}s")
        await asyncio.sleep(0.2)


async def wait_outbox_empty(pool: asyncpg.Pool, within: float = 120) -> None:
    deadline = time.monotonic() + within
    while await pool.fetchval("SELECT EXISTS (SELECT 1 FROM outbox)"):
        if time.monotonic() > deadline:
            raise TimeoutError("the worker's outbox did not drain")
        await asyncio.sleep(0.2)
