"""What a measured phase costs: CPU seconds per process (from /proc) and PostgreSQL round
trips (each service's `db_round_trips_total` on its /metrics), as deltas over the phase."""

from __future__ import annotations

import contextlib
import re
from typing import Any

import asyncpg
import httpx

from bench.procstat import ProcMeter
from bench.stack import BenchStack

_ROUND_TRIPS = re.compile(r'^db_round_trips_total\{service="([^"]+)"\} (\S+)$', re.MULTILINE)


def meters(stack: BenchStack) -> list[ProcMeter]:
    """CPU meters of every process of the stack; replicas are named when there are several."""
    out = []
    for worker in stack.workers:
        name = "sync-worker" if len(stack.workers) == 1 else worker.name
        out.append(ProcMeter(name, worker.pid))
    if stack.gateway is not None:
        out.append(ProcMeter("gateway", stack.gateway.pid))
    if stack.sandbox is not None:
        out.append(ProcMeter("quickbooks-sandbox", stack.sandbox.pid))
    if stack.pg is not None:
        out.append(ProcMeter("postgres", stack.pg.pid() or 0, postgres=True))
    if stack.kafka is not None:
        out.append(ProcMeter("kafka", stack.kafka.pid))
    return out


def parse_round_trips(metrics_text: str) -> dict[str, float]:
    return {m.group(1): float(m.group(2)) for m in _ROUND_TRIPS.finditer(metrics_text)}


async def scrape_round_trips(stack: BenchStack) -> dict[str, float]:
    """`db_round_trips_total` by endpoint: each worker replica by name, and the gateway."""
    urls = {w.name: w.url for w in stack.workers}
    if stack.gateway is not None:
        urls["gateway"] = stack.gateway.url
    out: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=10) as client:
        for name, url in urls.items():
            if url is None:
                continue
            response = await client.get(f"{url}/metrics")
            response.raise_for_status()
            out[name] = sum(parse_round_trips(response.text).values())
    return out


class RoundTripMeter:
    """Round trips of the workers (summed over replicas) and the gateway over a phase.

    The replicas must run for the whole phase: a restarted process starts again from 0."""

    def __init__(self, stack: BenchStack) -> None:
        self.stack = stack
        self._before: dict[str, float] = {}

    async def start(self, *, from_process_start: tuple[str, ...] = ()) -> None:
        """`from_process_start`: replicas just started, counted from 0 (their start-up
        included), so that work done before this scrape is not lost."""
        self._before = await scrape_round_trips(self.stack)
        for name in from_process_start:
            self._before[name] = 0.0

    async def stop(self) -> dict[str, Any]:
        after = await scrape_round_trips(self.stack)
        delta = {k: v - self._before.get(k, 0.0) for k, v in after.items()}
        workers = {k: v for k, v in delta.items() if k != "gateway"}
        return {
            "sync_worker": sum(workers.values()),
            "gateway": delta.get("gateway", 0.0),
            "by_replica": workers,
        }


def per_unit(round_trips: dict[str, Any], units: int) -> dict[str, float]:
    """Round trips per invoice (or event) for the worker replicas together and the gateway."""
    return {
        "sync_worker": round_trips["sync_worker"] / units if units else float("nan"),
        "gateway": round_trips["gateway"] / units if units else float("nan"),
    }


def kafka_log_bytes(stack: BenchStack) -> int:
    """Bytes in the broker's log segments (replication factor 1 here)."""
    total = 0
    for path in (stack.root / "kafka").rglob("*.log"):
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


class BytesMeter:
    """PostgreSQL WAL bytes (`pg_current_wal_lsn` delta, the whole cluster) and bytes
    appended to Kafka's logs over a phase."""

    def __init__(self, stack: BenchStack) -> None:
        self.stack = stack
        self._lsn = ""
        self._kafka = 0

    async def _current_lsn(self) -> str:
        conn = await asyncpg.connect(self.stack.dsn)
        try:
            return str(await conn.fetchval("SELECT pg_current_wal_lsn()::text"))
        finally:
            await conn.close()

    async def start(self) -> None:
        self._lsn = await self._current_lsn()
        self._kafka = kafka_log_bytes(self.stack)

    async def stop(self) -> dict[str, int]:
        conn = await asyncpg.connect(self.stack.dsn)
        try:
            wal = await conn.fetchval(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::text::pg_lsn)::bigint", self._lsn
            )
        finally:
            await conn.close()
        return {"wal_bytes": int(wal), "kafka_log_bytes": kafka_log_bytes(self.stack) - self._kafka}
