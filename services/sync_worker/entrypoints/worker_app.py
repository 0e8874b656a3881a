"""The sync worker process: FastStream consumers, the executor, housekeeping loops and the
shared platform runtime (pool, producer, outbox relay). Wiring only."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog
from faststream import FastStream
from faststream.kafka import KafkaBroker

from services.contract.connections import (
    QuickBooksConnectionRequested,
    QuickBooksDisconnectRequested,
)
from services.contract.topics import Topic
from services.platform.crypto import parse_keys
from services.platform.ingest import IngestOutcome
from services.platform.ingest.subscriber import subscribe_ingest
from services.platform.logging import configure_logging
from services.platform.postgres import create_pool
from services.platform.runtime import PlatformRuntime
from services.sync_worker.ingest.dispatch import SyncEventHandler
from services.sync_worker.observability import metrics
from services.sync_worker.observability.collector import Collector
from services.sync_worker.observability.http import build_health_app, health_server
from services.sync_worker.observability.qbo_hook import quickbooks_request_recorder
from services.sync_worker.quickbooks import QuickBooksConfig, QuickBooksService
from services.sync_worker.reconciliation.wiring import start_reconciliations
from services.sync_worker.settings import WorkerSettings
from services.sync_worker.sync.completion import UnitKind
from services.sync_worker.sync.domain.retry import RetryPolicy
from services.sync_worker.sync.executor import Executor, ExecutorSettings
from services.sync_worker.sync.inbound import Inbound, InboundPolicy
from services.sync_worker.sync.outbound import Outbound, OutboundPolicy
from services.sync_worker.sync.store import PgInboundStore, PgOutboundStore, PgWorkQueue

SCHEMA = "sync_worker"
CONSUMED_TOPICS = (
    Topic.INVOICES,
    Topic.SETTINGS,
    Topic.PUSH_REQUESTS,
    Topic.QUICKBOOKS_WEBHOOKS,
    Topic.CONNECTIONS,
    Topic.RECONCILIATION_REQUESTS,
)

log = structlog.get_logger(__name__)


@dataclass
class Runtime:
    settings: WorkerSettings
    platform: PlatformRuntime
    quickbooks: QuickBooksService | None = None
    lease_pool: asyncpg.Pool | None = None
    collector: Collector | None = None
    executor: Executor | None = None
    executor_task: asyncio.Task[None] | None = None
    loops: list[asyncio.Task[Any]] = field(default_factory=list)  # nothing to finish on stop

    def require_quickbooks(self) -> QuickBooksService:
        if self.quickbooks is None:
            raise RuntimeError("QuickBooks service used before start-up")
        return self.quickbooks


def quickbooks_config(settings: WorkerSettings) -> QuickBooksConfig:
    return QuickBooksConfig(
        api_base_url=settings.qbo_api_base_url,
        token_url=settings.qbo_token_url,
        client_id=settings.qbo_client_id,
        client_secret=settings.qbo_client_secret,
        token_encryption_keys=parse_keys(settings.token_encryption_keys.get_secret_value()),
        request_timeout_seconds=settings.qbo_request_timeout_seconds,
        retry_total_seconds=settings.qbo_retry_total_seconds,
        throttle_backoff_seconds=settings.qbo_throttle_backoff_seconds,
        rate_limit_per_second=settings.qbo_rate_limit_per_second,
        rate_limit_per_minute=settings.qbo_rate_limit_per_minute,
        rate_limit_margin_seconds=settings.qbo_rate_limit_margin_seconds,
        batch_max_items=settings.qbo_batch_max_items,
        in_flight_per_company=settings.executor_per_tenant_concurrency,
        max_connections=settings.executor_concurrency,
    )


def _executor(pool: asyncpg.Pool, quickbooks: QuickBooksService, s: WorkerSettings) -> Executor:
    retry = RetryPolicy(s.max_attempts, s.retry_base_seconds)
    outbound = Outbound(
        PgOutboundStore(pool), quickbooks, OutboundPolicy(retry, s.unknown_invoice_grace_seconds)
    )
    inbound = Inbound(
        PgInboundStore(pool), quickbooks, InboundPolicy(s.cdc_initial_lookback_seconds)
    )
    runners = {
        UnitKind.AUTO: outbound.run,
        UnitKind.PUSH: outbound.run,
        UnitKind.WEBHOOK: inbound.webhook,
        UnitKind.CDC: inbound.cdc_sweep,
    }
    settings = ExecutorSettings(
        concurrency=s.executor_concurrency,
        per_tenant_concurrency=s.executor_per_tenant_concurrency,
        lease_seconds=s.lease_seconds,
        retry=retry,
        cdc_interval_seconds=s.cdc_interval_seconds,
        max_unit_seconds=s.executor_max_unit_seconds,
    )
    return Executor(PgWorkQueue(pool), runners, settings, worker_id=s.worker_id)


def _subscribe(broker: KafkaBroker, runtime: Runtime) -> None:
    settings = runtime.settings

    async def connect_tenant(
        conn: asyncpg.Connection,
        event: QuickBooksConnectionRequested | QuickBooksDisconnectRequested,
    ) -> None:
        await runtime.require_quickbooks().apply_connection_event(conn, event)
        log.info(
            "tenant_connection_changed", tenant_id=event.tenant_id, event_type=event.event_type
        )

    def count_ingest(outcome: IngestOutcome, seconds: float) -> None:
        metrics.INGEST_BATCH_SECONDS.observe(seconds)
        for (topic, result), n in outcome.by_topic.items():
            metrics.EVENTS_CONSUMED.labels(topic, result).inc(n)
            if result == "dead_lettered":
                metrics.DEAD_LETTERS.labels(topic).inc(n)

    subscribe_ingest(
        broker,
        [t.value for t in CONSUMED_TOPICS],
        group_id=settings.worker_group_id,
        pool=runtime.platform.require_pool,
        handler=lambda: SyncEventHandler(connect_tenant),
        consumer_name=settings.worker_id,
        max_records=settings.ingest_max_records,
        on_batch=count_ingest,
        consumers=settings.ingest_consumers,
    )


async def _start(runtime: Runtime) -> None:
    settings = runtime.settings
    pool = await runtime.platform.start()
    record_request = quickbooks_request_recorder(per_realm=settings.metrics_per_realm)
    runtime.lease_pool = await create_pool(
        settings.database_url.get_secret_value(), SCHEMA, min_size=1, max_size=2
    )
    runtime.quickbooks = quickbooks = QuickBooksService(
        quickbooks_config(settings),
        pool,
        metrics=record_request,
        owner=settings.worker_id,
        lease_pool=runtime.lease_pool,
    )
    runtime.executor = executor = _executor(pool, quickbooks, settings)
    runtime.collector = collector = Collector(
        pool,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=settings.worker_group_id,
        worker_id=settings.worker_id,
        in_flight=executor.in_flight,
        interval_seconds=settings.metrics_interval_seconds,
    )
    runtime.executor_task = asyncio.create_task(executor.run(), name="executor")
    runtime.loops = [
        asyncio.create_task(collector.run(), name="metrics-collector"),
        start_reconciliations(pool, quickbooks, settings.worker_id, record_request),
    ]


async def _stop(runtime: Runtime) -> None:
    # FastStream has stopped the consumers (offsets committed, group left): finish or hand
    # back in-flight units, then flush the outbox and close connections.
    if runtime.executor is not None:
        await runtime.executor.stop(runtime.settings.shutdown_grace_seconds)
    for task in runtime.loops:
        task.cancel()
    tasks = [*runtime.loops, *([runtime.executor_task] if runtime.executor_task else [])]
    if tasks:
        await asyncio.wait(tasks, timeout=10)
    if runtime.collector is not None:
        with contextlib.suppress(Exception):
            await runtime.collector.forget()
    if runtime.quickbooks is not None:
        await runtime.quickbooks.aclose()  # hands its realms back
    if runtime.lease_pool is not None:
        await runtime.lease_pool.close()
    await runtime.platform.stop()


def build_app(settings: WorkerSettings | None = None) -> FastStream:
    settings = settings or WorkerSettings()
    configure_logging("sync-worker", settings.log_level, settings.log_format)
    platform = PlatformRuntime(
        settings,
        SCHEMA,
        "services.sync_worker.migrations",
        settings.outbox_poll_seconds,
        pool_max_size=settings.db_pool_max_size + settings.executor_db_connections,
    )
    runtime = Runtime(settings, platform)
    broker = KafkaBroker(settings.kafka_bootstrap_servers, logger=None)
    _subscribe(broker, runtime)
    app = FastStream(broker, logger=None)
    http = health_server(
        build_health_app(lambda: platform.pool, lambda: broker.ping(timeout=2)),
        settings.worker_http_host,
        settings.worker_http_port,
    )
    http_task: list[asyncio.Task[Any]] = []

    @app.on_startup
    async def start() -> None:
        await _start(runtime)
        http_task.append(asyncio.create_task(http.serve(), name="health-http"))

    @app.after_startup
    async def announce() -> None:
        log.info(
            "worker_started",
            worker_id=settings.worker_id,
            http=f"{settings.worker_http_host}:{settings.worker_http_port}",
        )

    @app.after_shutdown
    async def drain_and_close() -> None:
        await _stop(runtime)
        http.should_exit = True
        if http_task:
            await asyncio.wait(http_task, timeout=5)
        log.info("worker_stopped", worker_id=settings.worker_id)

    return app
