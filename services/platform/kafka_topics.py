"""Creates the contract's topics at start-up (idempotent, safe across replicas)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from services.contract.topics import Topic

log = structlog.get_logger(__name__)


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[Topic | str] = tuple(Topic),
    *,
    partitions: int,
    replication_factor: int = 1,
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [str(t) for t in topics if str(t) not in existing]
        if not missing:
            return
        # Another replica may create them between list and create.
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics(
                [NewTopic(t, partitions, replication_factor) for t in missing]
            )
        log.info("topics_created", topics=missing, partitions=partitions)
    finally:
        await admin.close()
