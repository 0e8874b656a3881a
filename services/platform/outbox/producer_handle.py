"""The relay's Kafka producer, replaced by a fresh one when its state can no longer be
trusted.

An idempotent producer numbers its records per partition. When the broker refuses a record
for good (too large, say), aiokafka's numbering for that partition is left ahead of the
broker's, and every later send there fails with OutOfOrderSequenceNumber: one poison row
would stop the relay forever. A new producer gets a new producer id and starts numbering
afresh, so the relay renews it after any refusal or sequence error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka import errors as kafka_errors

log = structlog.get_logger(__name__)

# The producer's idempotence state is broken: only a new producer can send again.
BROKEN_PRODUCER_STATE: tuple[type[BaseException], ...] = (
    kafka_errors.OutOfOrderSequenceNumber,
    kafka_errors.UnknownProducerId,
    kafka_errors.InvalidProducerEpoch,
    kafka_errors.InvalidProducerIdMapping,
    kafka_errors.ProducerFenced,
    kafka_errors.ProducerClosed,
)


class ProducerHandle:
    def __init__(self, factory: Callable[[], AIOKafkaProducer]) -> None:
        self._factory = factory
        self._producer: AIOKafkaProducer | None = None

    async def get(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._factory()
            await producer.start()
            self._producer = producer
        return self._producer

    async def renew(self, reason: str) -> None:
        log.warning("outbox_producer_renewed", reason=reason)
        await self.close()

    async def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await producer.stop()
