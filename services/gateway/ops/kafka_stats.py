"""Consumer lag and dead-letter count, read from Kafka (best effort, cached briefly)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.contract.topics import Topic
from services.platform.consumer_lag import partition_lag

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class GroupLag:
    group: str
    total: int
    by_topic: dict[str, int]


@dataclass(frozen=True, slots=True)
class KafkaStats:
    available: bool
    lag: list[GroupLag] = field(default_factory=list)
    dead_letters: int | None = None
    error: str | None = None


class KafkaStatsReader:
    """One per process; re-reads Kafka at most every `max_age_seconds`."""

    def __init__(self, bootstrap: str, groups: list[str], *, max_age_seconds: float = 10.0) -> None:
        self._bootstrap = bootstrap
        self._groups = groups
        self._max_age = max_age_seconds
        self._cached: tuple[float, KafkaStats] | None = None
        self._lock = asyncio.Lock()

    async def read(self) -> KafkaStats:
        async with self._lock:
            if self._cached and time.monotonic() - self._cached[0] < self._max_age:
                return self._cached[1]
            try:
                stats = await asyncio.wait_for(self._collect(), timeout=10)
            except Exception as exc:  # Kafka down must not break the dashboard
                log.warning("ops_kafka_stats_failed", error=repr(exc))
                stats = KafkaStats(available=False, error=type(exc).__name__)
            self._cached = (time.monotonic(), stats)
            return stats

    async def _collect(self) -> KafkaStats:
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
        offsets = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None)
        await admin.start()
        await offsets.start()
        try:
            lag = [await _group_lag(admin, offsets, g) for g in self._groups]
            dead = await _dead_letters(offsets)
        finally:
            await offsets.stop()
            await admin.close()
        return KafkaStats(available=True, lag=lag, dead_letters=dead)


async def _group_lag(admin: AIOKafkaAdminClient, offsets: AIOKafkaConsumer, group: str) -> GroupLag:
    by_topic: dict[str, int] = {}
    for tp, lag in (await partition_lag(admin, offsets, group)).items():
        by_topic[tp.topic] = by_topic.get(tp.topic, 0) + lag
    return GroupLag(group, sum(by_topic.values()), dict(sorted(by_topic.items())))


async def _dead_letters(offsets: AIOKafkaConsumer) -> int:
    """Records still retained on the dead-letter topic (end minus beginning offsets)."""
    partitions = offsets.partitions_for_topic(Topic.DEAD_LETTERS.value)
    if partitions is None:
        await offsets.topics()  # refresh metadata once
        partitions = offsets.partitions_for_topic(Topic.DEAD_LETTERS.value) or set()
    tps = [TopicPartition(Topic.DEAD_LETTERS.value, p) for p in sorted(partitions)]
    if not tps:
        return 0
    ends = await offsets.end_offsets(tps)
    starts = await offsets.beginning_offsets(tps)
    return sum(max(int(ends[tp]) - int(starts[tp]), 0) for tp in tps)
