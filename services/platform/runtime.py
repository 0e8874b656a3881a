"""What every service process starts and stops the same way: migrations, Kafka topics, the
PostgreSQL pool and the outbox relay (with its Kafka producer) (in that order; stopped in reverse,
after the relay has flushed what is committed)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import asyncpg

from services.platform.kafka_producer import outbox_producer
from services.platform.kafka_topics import ensure_topics
from services.platform.outbox import OutboxRelay
from services.platform.postgres import apply_migrations, create_pool
from services.platform.settings import CommonSettings


@dataclass
class PlatformRuntime:
    settings: CommonSettings
    schema: str
    migrations: str  # package of the service's `NNNN_name.sql` files (run after the platform's)
    outbox_poll_seconds: float
    pool_max_size: int | None = None  # default: settings.db_pool_max_size
    pool: asyncpg.Pool | None = None
    relay: OutboxRelay | None = None
    _relay_task: asyncio.Task[None] | None = field(default=None, repr=False)

    def require_pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("database pool used before start-up")
        return self.pool

    async def start(self) -> asyncpg.Pool:
        settings = self.settings
        dsn = settings.database_url.get_secret_value()
        await apply_migrations(dsn, self.schema, self.migrations)
        await ensure_topics(
            settings.kafka_bootstrap_servers,
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor,
        )
        self.pool = pool = await create_pool(
            dsn,
            self.schema,
            min_size=settings.db_pool_min_size,
            max_size=self.pool_max_size or settings.db_pool_max_size,
        )
        bootstrap = settings.kafka_bootstrap_servers
        self.relay = OutboxRelay(
            pool,
            lambda: outbox_producer(bootstrap),
            lock_name=f"{self.schema}.outbox",
            idle_poll_seconds=self.outbox_poll_seconds,
        )
        self._relay_task = asyncio.create_task(self.relay.run(), name="outbox-relay")
        return pool

    async def stop(self) -> None:
        """Call after the service's own work has stopped writing to the outbox."""
        if self.relay is not None and self._relay_task is not None:
            self.relay.stop()
            await asyncio.wait([self._relay_task], timeout=10)
        if self.pool is not None:
            await self.pool.close()
