from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import asyncpg

from services.platform.outbox import OutboxMessage


class EventHandler(Protocol):
    """Applies one valid contract event inside the ingest transaction."""

    async def handle(
        self, conn: asyncpg.Connection, event: Any, *, now: datetime
    ) -> list[OutboxMessage]: ...
