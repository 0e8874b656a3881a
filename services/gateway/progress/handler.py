"""Turning consumed events into per-invoice status and batch progress.

Batch work is staged per consumed batch, then applied in batch-id order, so two replicas
locking the same batches never deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from services.contract.catalog import ContractEvent
from services.contract.push import PushRequested
from services.contract.results import (
    InvoiceSyncFailed,
    InvoiceSyncSkipped,
    InvoiceSyncSucceeded,
    SyncResult,
)
from services.gateway.batches.ingest import apply_batch_results, apply_push_request
from services.gateway.progress import status_repository
from services.platform.outbox import OutboxMessage

_RESULTS = (InvoiceSyncSucceeded, InvoiceSyncFailed, InvoiceSyncSkipped)


class GatewayEventHandler:
    """One instance per consumed batch of records."""

    def __init__(self) -> None:
        self._requests: dict[UUID, PushRequested] = {}
        self._results: defaultdict[UUID, list[SyncResult]] = defaultdict(list)
        self._statuses: list[SyncResult] = []
        self.results_seen = 0

    async def handle_batch(
        self, conn: asyncpg.Connection, events: Sequence[ContractEvent], *, now: datetime
    ) -> list[OutboxMessage]:
        for event in events:
            self._stage(event)
        await self._flush(conn, now=now)
        return []

    def _stage(self, event: ContractEvent) -> None:
        if isinstance(event, _RESULTS):
            self.results_seen += 1
            self._statuses.append(event)
            if event.batch_id is not None:
                self._results[event.batch_id].append(event)
        elif isinstance(event, PushRequested):
            self._requests.setdefault(event.batch_id, event)

    async def _flush(self, conn: asyncpg.Connection, *, now: datetime) -> None:
        await status_repository.record_results(conn, self._statuses)
        self._statuses.clear()
        for batch_id in sorted(self._requests.keys() | self._results.keys()):
            request = self._requests.get(batch_id)
            if request is not None:
                await apply_push_request(conn, request, now)
            results = self._results.get(batch_id)
            if results:
                results.sort(key=lambda r: r.occurred_at)
                await apply_batch_results(conn, batch_id, results, now)
        self._requests.clear()
        self._results.clear()
