"""Nightly runs: once per UTC day, a run for every tenant that turned them on."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog

from services.contract.common import utc_now
from services.contract.reconciliation import ReconciliationTrigger

from . import repository as repo
from .service import start

log = structlog.get_logger(__name__)


async def start_due(pool: asyncpg.Pool) -> list[str]:
    """Claims today's nightly runs (every gateway replica may call this; each tenant runs
    once a day) and requests them."""
    async with pool.acquire() as conn:
        tenants = await repo.due_nightly(conn, utc_now())
    for tenant_id in tenants:
        await start(pool, tenant_id, "nightly", ReconciliationTrigger.NIGHTLY)
    return tenants


def schedule_nightly(pool: asyncpg.Pool, every_seconds: float = 300.0) -> asyncio.Task[None]:
    async def loop() -> None:
        while True:
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                started = await start_due(pool)
                if started:
                    log.info("nightly_reconciliations_requested", tenants=len(started))
            await asyncio.sleep(every_seconds)

    return asyncio.create_task(loop(), name="nightly-reconciliations")
