"""Consuming `reconciliation.requested`: queue the run (inside the ingest transaction)."""

from __future__ import annotations

import asyncpg

from services.contract.reconciliation import ReconciliationRequested

from . import repository as repo


async def queue_requested(conn: asyncpg.Connection, event: ReconciliationRequested) -> None:
    await repo.queue_run(
        conn, event.reconciliation_id, event.tenant_id, event.requested_by, event.trigger.value
    )
