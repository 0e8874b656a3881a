from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import asyncpg

from services.contract.catalog import ContractEvent
from services.platform.outbox import OutboxMessage


class EventHandler(Protocol):
    """Applies the new (not yet seen) valid events of one consumed batch, in order, inside
    the batch's transaction; returns what to publish with it."""

    async def handle_batch(
        self, conn: asyncpg.Connection, events: Sequence[ContractEvent], *, now: datetime
    ) -> list[OutboxMessage]: ...
