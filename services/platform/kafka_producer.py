"""The one way services build their Kafka producer (used by the outbox relays)."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from services.contract.limits import PRODUCER_MAX_REQUEST_BYTES


def outbox_producer(bootstrap_servers: str) -> AIOKafkaProducer:
    """acks=all and idempotence: an acknowledged event survives a leader loss and a retried
    send is written once. The request limit sits above every topic's own limit, so a record
    too large for its topic is refused by that topic (and parked), never by the client."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_request_size=PRODUCER_MAX_REQUEST_BYTES,
    )
