"""Periodic gauges read from PostgreSQL and Kafka, and the heartbeat row operators see."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from services.platform.consumer_lag import partition_lag, set_lag_gauge
from services.platform.db_errors import DB_ERRORS
from services.sync_worker.observability import metrics
from services.sync_worker.sync.completion import UnitKind

log = structlog.get_logger(__name__)


class Collector:
    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        bootstrap_servers: str,
        group_id: str,
        worker_id: str,
        in_flight: Callable[[], int],
        interval_seconds: float = 10.0,
    ) -> None:
        self._pool = pool
        self._bootstrap = bootstrap_servers
        self._group = group_id
        self._worker_id = worker_id
        self._in_flight = in_flight
        self._interval = interval_seconds

    async def forget(self) -> None:
        """A replica stopping cleanly removes its heartbeat, so the others stop counting it
        when they share out QuickBooks companies (realm_leases)."""
        async with self._pool.acquire() as conn:
            await conn.execute(
                "DELETE FROM worker_heartbeats WHERE worker_id = $1", self._worker_id
            )

    async def run(self) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
        offsets = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None)
        await admin.start()
        await offsets.start()
        try:
            while True:
                try:
                    await self._database()
                except DB_ERRORS as exc:
                    log.warning("metrics_collection_failed", source="postgres", error=repr(exc))
                try:
                    await self._lag(admin, offsets)
                except Exception as exc:  # lag is best effort; never stop the loop
                    log.warning("metrics_collection_failed", source="kafka", error=repr(exc))
                metrics.HEARTBEAT.set(time.time())
                await asyncio.sleep(self._interval)
        finally:
            await offsets.stop()
            await admin.close()

    async def _database(self) -> None:
        in_flight = self._in_flight()
        metrics.IN_FLIGHT.set(in_flight)
        async with self._pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO worker_heartbeats (worker_id, last_seen, in_flight) "
                "VALUES ($1, now(), $2) ON CONFLICT (worker_id) DO UPDATE SET "
                "last_seen = now(), in_flight = EXCLUDED.in_flight",
                self._worker_id,
                in_flight,
            )
            rows = await conn.fetch(
                "SELECT state, kind, count(*) AS n FROM work_items "
                "WHERE state <> 'done' GROUP BY state, kind"
            )
            # Every (state, kind) pair, 0 when empty: an autoscaler needs a value to read.
            counts = {(r["state"], r["kind"]): r["n"] for r in rows}
            for state in metrics.WORK_ITEM_STATES:
                for kind in UnitKind:
                    metrics.WORK_ITEMS.labels(state, kind.value).set(counts.get((state, kind), 0))
            oldest = await conn.fetchval(
                "SELECT extract(epoch FROM now() - min(not_before)) FROM work_items "
                "WHERE state = 'queued' AND not_before <= now()"
            )
            metrics.WORK_OLDEST_QUEUED.set(float(oldest or 0))
            metrics.OUTBOX_BACKLOG.set(await conn.fetchval("SELECT count(*) FROM outbox"))
            metrics.QBO_CONNECTIONS.clear()
            for r in await conn.fetch(
                "SELECT status, count(*) AS n FROM quickbooks_connections GROUP BY status"
            ):
                metrics.QBO_CONNECTIONS.labels(r["status"]).set(r["n"])

    async def _lag(self, admin: AIOKafkaAdminClient, offsets: AIOKafkaConsumer) -> None:
        set_lag_gauge(metrics.CONSUMER_LAG, await partition_lag(admin, offsets, self._group))
