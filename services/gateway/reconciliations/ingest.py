"""Consuming `sync.reconciliations.v1`; wraps the gateway's handler of the other topics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from services.contract.catalog import ContractEvent
from services.contract.reconciliation import ReconciliationCompleted, ReconciliationProgressed
from services.platform.ingest.ports import EventHandler
from services.platform.outbox import OutboxMessage

from . import repository as repo


class WithReconciliations:
    """Applies reconciliation events itself and hands every other event to `inner`."""

    def __init__(self, inner: EventHandler) -> None:
        self._inner = inner

    async def handle_batch(
        self, conn: asyncpg.Connection, events: Sequence[ContractEvent], *, now: datetime
    ) -> list[OutboxMessage]:
        rest = []
        for event in events:
            if isinstance(event, ReconciliationProgressed):
                await repo.apply_progress(conn, event)
            elif isinstance(event, ReconciliationCompleted):
                await repo.apply_completed(conn, event)
            else:
                rest.append(event)
        return await self._inner.handle_batch(conn, rest, now=now)
