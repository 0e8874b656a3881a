from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from services.contract.results import InvoiceSyncFailed, InvoiceSyncSkipped, InvoiceSyncSucceeded
from services.gateway.progress import status_repository
from services.platform.outbox import OutboxMessage

_RESULTS = (InvoiceSyncSucceeded, InvoiceSyncFailed, InvoiceSyncSkipped)


class GatewayEventHandler:
    async def handle(
        self, conn: asyncpg.Connection, event: Any, *, now: datetime
    ) -> list[OutboxMessage]:
        if isinstance(event, _RESULTS):
            await status_repository.record_result(conn, event)
        return []
