"""Transactional outbox: rows written with the state change, published by one relay."""

from services.platform.outbox.message import OutboxMessage, event_message
from services.platform.outbox.relay import OutboxRelay
from services.platform.outbox.store import enqueue

__all__ = ["OutboxMessage", "OutboxRelay", "enqueue", "event_message"]
