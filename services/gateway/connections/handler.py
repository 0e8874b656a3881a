"""Consumes the worker's `quickbooks.connection.status-changed` reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from services.contract.catalog import ContractEvent
from services.contract.connection_status import QuickBooksConnectionStatusChanged
from services.gateway.connections import repository
from services.platform.outbox import OutboxMessage


class ConnectionStatusHandler:
    """One instance per consumed batch; other events are left to other handlers."""

    async def handle_batch(
        self, conn: asyncpg.Connection, events: Sequence[ContractEvent], *, now: datetime
    ) -> list[OutboxMessage]:
        reports = [e for e in events if isinstance(e, QuickBooksConnectionStatusChanged)]
        # Tenant order: replicas sharing partitions during a rebalance lock rows alike.
        for event in sorted(reports, key=lambda e: (e.tenant_id, e.occurred_at)):
            await repository.apply_status(conn, event)
        return []
