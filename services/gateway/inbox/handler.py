"""Keeps the inbox and the failure log up to date from consumed results and push requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from services.contract.catalog import ContractEvent
from services.contract.push import PushRequested
from services.contract.results import InvoiceSyncFailed, InvoiceSyncSkipped, InvoiceSyncSucceeded
from services.gateway.connections import repository as connections
from services.gateway.inbox import repository
from services.platform.ingest.ports import EventHandler
from services.platform.outbox import OutboxMessage

_RESULTS = (InvoiceSyncSucceeded, InvoiceSyncFailed, InvoiceSyncSkipped)


class InboxHandler:
    """One instance per consumed batch. Rows are written in (tenant, invoice) order so
    replicas sharing partitions during a rebalance never lock in opposite orders."""

    async def handle_batch(
        self, conn: asyncpg.Connection, events: Sequence[ContractEvent], *, now: datetime
    ) -> list[OutboxMessage]:
        results = sorted(
            (e for e in events if isinstance(e, _RESULTS)),
            key=lambda r: (r.tenant_id, r.invoice_id, r.occurred_at),
        )
        for request in sorted(
            (e for e in events if isinstance(e, PushRequested)), key=lambda r: r.batch_id
        ):
            await repository.mark_pending(conn, request)
        if results:
            await repository.record_results(conn, results)
        failed = [r for r in results if isinstance(r, InvoiceSyncFailed) and r.error]
        if failed:
            await repository.record_failures(conn, failed)
        successes: dict[str, datetime] = {}
        for r in results:
            if isinstance(r, InvoiceSyncSucceeded):
                successes[r.tenant_id] = max(
                    r.occurred_at, successes.get(r.tenant_id, r.occurred_at)
                )
        if successes:
            await connections.record_successes(conn, successes)
        return []


class HandlerChain:
    """Runs several handlers over the same events in one transaction."""

    def __init__(self, *handlers: EventHandler) -> None:
        self._handlers = handlers

    async def handle_batch(
        self, conn: asyncpg.Connection, events: Sequence[ContractEvent], *, now: datetime
    ) -> list[OutboxMessage]:
        messages: list[OutboxMessage] = []
        for handler in self._handlers:
            messages.extend(await handler.handle_batch(conn, events, now=now))
        return messages
