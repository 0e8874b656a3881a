"""The sync worker process: FastStream consumers + executor + outbox relay. Wiring only."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
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
from services.platform.kafka_topics import ensure_topics
from services.platform.logging import configure_logging
from services.platform.outbox import OutboxRelay
from services.platform.postgres import apply_migrations, create_pool
from services.sync_worker.ingest.dispatch import SyncEventHandler
from services.sync_worker.observability import metrics
from services.sync_worker.observability.collector import Collector
from services.sync_worker.observability.http import build_health_app, health_server
from services.sync_worker.observability.qbo_hook import record_quickbooks_request
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
    pool: asyncpg.Pool | None = None
    producer: AIOKafkaProducer | None = None
    relay: OutboxRelay | None = None
    quickbooks: QuickBooksService | None = None
    executor: Executor | None = None
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    http_task: asyncio.Task[Any] | None = None

    def require_pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("database pool used before start-up")
        return self.pool

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
    )


def build_app(settings: WorkerSettings | None = None) -> FastStream:
    settings = settings or WorkerSettings()
    configure_logging("sync-worker", settings.log_level, settings.log_format)
    runtime = Runtime(settings)
    broker = KafkaBroker(settings.kafka_bootstrap_servers, logger=None)

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
        pool=runtime.require_pool,
        handler=lambda: SyncEventHandler(connect_tenant),
        consumer_name=settings.worker_id,
        max_records=settings.ingest_max_records,
        on_batch=count_ingest,
    )
    app = FastStream(broker, logger=None)
    http = health_server(
        build_health_app(lambda: runtime.pool, lambda: broker.ping(timeout=2)),
        settings.worker_http_host,
        settings.worker_http_port,
    )

    @app.on_startup
    async def start() -> None:
        dsn = settings.database_url.get_secret_value()
        await apply_migrations(dsn, SCHEMA, "services.sync_worker.migrations")
        await ensure_topics(
            settings.kafka_bootstrap_servers,
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor,
        )
        pool_size = settings.db_pool_max_size + settings.executor_concurrency
        runtime.pool = pool = await create_pool(
            dsn, SCHEMA, min_size=settings.db_pool_min_size, max_size=pool_size
        )
        runtime.quickbooks = quickbooks = QuickBooksService(
            quickbooks_config(settings), pool, metrics=record_quickbooks_request
        )
        runtime.producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
        )
        await runtime.producer.start()
        runtime.relay = OutboxRelay(
            pool,
            runtime.producer,
            lock_name=f"{SCHEMA}.outbox",
            idle_poll_seconds=settings.outbox_poll_seconds,
        )
        retry = RetryPolicy(settings.max_attempts, settings.retry_base_seconds)
        outbound = Outbound(
            PgOutboundStore(pool),
            quickbooks,
            OutboundPolicy(retry, settings.unknown_invoice_grace_seconds),
        )
        inbound = Inbound(
            PgInboundStore(pool), quickbooks, InboundPolicy(settings.cdc_initial_lookback_seconds)
        )
        runtime.executor = Executor(
            PgWorkQueue(pool),
            {
                UnitKind.AUTO: outbound.run,
                UnitKind.PUSH: outbound.run,
                UnitKind.WEBHOOK: inbound.webhook,
                UnitKind.CDC: inbound.cdc_sweep,
            },
            ExecutorSettings(
                concurrency=settings.executor_concurrency,
                per_tenant_concurrency=settings.executor_per_tenant_concurrency,
                lease_seconds=settings.lease_seconds,
                retry=retry,
                cdc_interval_seconds=settings.cdc_interval_seconds,
            ),
            worker_id=settings.worker_id,
        )
        runtime.tasks.append(asyncio.create_task(runtime.relay.run(), name="outbox-relay"))
        runtime.tasks.append(asyncio.create_task(runtime.executor.run(), name="executor"))
        collector = Collector(
            pool,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=settings.worker_group_id,
            worker_id=settings.worker_id,
            in_flight=runtime.executor.in_flight,
            interval_seconds=settings.metrics_interval_seconds,
        )
        runtime.tasks.append(asyncio.create_task(collector.run(), name="metrics-collector"))
        runtime.tasks.append(
            start_reconciliations(pool, quickbooks, settings.worker_id, record_quickbooks_request)
        )
        runtime.http_task = asyncio.create_task(http.serve(), name="health-http")

    @app.after_startup
    async def announce() -> None:
        log.info(
            "worker_started",
            worker_id=settings.worker_id,
            http=f"{settings.worker_http_host}:{settings.worker_http_port}",
        )

    @app.after_shutdown
    async def drain_and_close() -> None:
        # FastStream has stopped the consumers (offsets committed, group left): finish or
        # hand back in-flight units, flush the outbox, then close connections.
        if runtime.executor is not None:
            await runtime.executor.stop(settings.shutdown_grace_seconds)
        if runtime.relay is not None:
            runtime.relay.stop()
        for task in runtime.tasks[2:]:
            task.cancel()  # housekeeping loops: nothing to finish
        if runtime.tasks:
            await asyncio.wait(runtime.tasks, timeout=10)
        http.should_exit = True
        if runtime.http_task is not None:
            await asyncio.wait([runtime.http_task], timeout=5)
        if runtime.producer is not None:
            await runtime.producer.stop()
        if runtime.quickbooks is not None:
            await runtime.quickbooks.aclose()
        if runtime.pool is not None:
            await runtime.pool.close()
        log.info("worker_stopped", worker_id=settings.worker_id)

    return app
