"""Kafka consumer-group lag per partition (end offset minus committed offset), shared by
the worker's and the gateway's metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Gauge

log = structlog.get_logger(__name__)

LagSink = Callable[[dict[TopicPartition, int]], None]


async def partition_lag(
    admin: AIOKafkaAdminClient, offsets: AIOKafkaConsumer, group: str
) -> dict[TopicPartition, int]:
    """Lag of every partition the group has committed on; empty before its first commit."""
    committed = await admin.list_consumer_group_offsets(group)
    if not committed:
        return {}
    ends = await offsets.end_offsets(list(committed))
    return {tp: max(int(ends[tp]) - meta.offset, 0) for tp, meta in committed.items()}


def set_lag_gauge(gauge: Gauge, lag: dict[TopicPartition, int]) -> None:
    """Sets a `{topic, partition}` gauge from `partition_lag`'s answer."""
    for tp, value in lag.items():
        gauge.labels(tp.topic, str(tp.partition)).set(value)


async def poll_lag(
    bootstrap_servers: str, group: str, sink: LagSink, *, interval_seconds: float = 10.0
) -> None:
    """Reports the group's lag to `sink` every interval until cancelled (best effort)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    offsets = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None)
    await admin.start()
    await offsets.start()
    try:
        while True:
            try:
                sink(await partition_lag(admin, offsets, group))
            except Exception as exc:  # lag is best effort; never stop the loop
                log.warning("consumer_lag_failed", group=group, error=repr(exc))
            await asyncio.sleep(interval_seconds)
    finally:
        await offsets.stop()
        await admin.close()
