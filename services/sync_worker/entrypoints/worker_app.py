"""The sync worker process: FastStream consumers + background tasks. Wiring only."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from faststream import FastStream
from faststream.kafka import KafkaBroker

from services.contract.topics import Topic
from services.platform.ingest.subscriber import subscribe_ingest
from services.platform.kafka_topics import ensure_topics
from services.platform.logging import configure_logging
from services.platform.outbox import OutboxRelay
from services.platform.postgres import apply_migrations, create_pool
from services.sync_worker.ingest.dispatch import WalkingSkeletonHandler
from services.sync_worker.settings import WorkerSettings

SCHEMA = "sync_worker"
CONSUMED_TOPICS = (
    Topic.INVOICES,
    Topic.SETTINGS,
    Topic.PUSH_REQUESTS,
    Topic.QUICKBOOKS_WEBHOOKS,
)

log = structlog.get_logger(__name__)


@dataclass
class Runtime:
    settings: WorkerSettings
    pool: asyncpg.Pool | None = None
    producer: AIOKafkaProducer | None = None
    relay: OutboxRelay | None = None
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    def require_pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("database pool used before start-up")
        return self.pool


def build_app(settings: WorkerSettings | None = None) -> FastStream:
    settings = settings or WorkerSettings()
    configure_logging("sync-worker", settings.log_level, settings.log_format)
    runtime = Runtime(settings)
    broker = KafkaBroker(settings.kafka_bootstrap_servers, logger=None)

    subscribe_ingest(
        broker,
        [t.value for t in CONSUMED_TOPICS],
        group_id=settings.worker_group_id,
        pool=runtime.require_pool,
        handler=WalkingSkeletonHandler(),
        consumer_name=settings.worker_id,
        max_records=settings.ingest_max_records,
    )

    app = FastStream(broker, logger=None)

    @app.on_startup
    async def start() -> None:
        dsn = settings.database_url.get_secret_value()
        await apply_migrations(dsn, SCHEMA, "services.sync_worker.migrations")
        await ensure_topics(
            settings.kafka_bootstrap_servers,
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor,
        )
        runtime.pool = await create_pool(
            dsn, SCHEMA, min_size=settings.db_pool_min_size, max_size=settings.db_pool_max_size
        )
        runtime.producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
        )
        await runtime.producer.start()
        runtime.relay = OutboxRelay(
            runtime.pool,
            runtime.producer,
            lock_name=f"{SCHEMA}.outbox",
            idle_poll_seconds=settings.outbox_poll_seconds,
        )
        runtime.tasks.append(asyncio.create_task(runtime.relay.run(), name="outbox-relay"))
        log.info("worker_started", worker_id=settings.worker_id)

    @app.on_shutdown
    async def stop_background() -> None:
        if runtime.relay is not None:
            runtime.relay.stop()
        if runtime.tasks:
            await asyncio.wait(runtime.tasks, timeout=10)

    @app.after_shutdown
    async def close() -> None:
        if runtime.producer is not None:
            await runtime.producer.stop()
        if runtime.pool is not None:
            await runtime.pool.close()
        log.info("worker_stopped", worker_id=settings.worker_id)

    return app
