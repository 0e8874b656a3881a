"""Nightly runs: once per UTC day, a run for every tenant that turned them on."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

import asyncpg
import structlog

from services.contract.common import utc_now
from services.contract.reconciliation import ReconciliationTrigger
from services.platform.db_errors import DB_ERRORS

from . import repository as repo
from .schedule import is_due, utc_day
from .service import request_run

log = structlog.get_logger(__name__)


async def start_due(pool: asyncpg.Pool, now: datetime | None = None) -> list[str]:
    """Starts today's nightly runs. Every gateway replica may call this: the day is claimed
    in the transaction that requests the run, so each tenant runs once a UTC day."""
    moment = now or utc_now()
    async with pool.acquire() as conn:
        settings = await repo.nightly_settings(conn)
    started: list[str] = []
    for tenant_id, nightly, last in settings:
        if not is_due(nightly, last, moment):
            continue
        async with pool.acquire() as conn, conn.transaction():
            if not await repo.claim_nightly(conn, tenant_id, utc_day(moment)):
                continue
            await request_run(conn, tenant_id, "nightly", ReconciliationTrigger.NIGHTLY)
        started.append(tenant_id)
    return started


def schedule_nightly(pool: asyncpg.Pool, every_seconds: float = 300.0) -> asyncio.Task[None]:
    async def loop() -> None:
        while True:
            with contextlib.suppress(*DB_ERRORS):
                started = await start_due(pool)
                if started:
                    log.info("nightly_reconciliations_requested", tenants=len(started))
            await asyncio.sleep(every_seconds)

    return asyncio.create_task(loop(), name="nightly-reconciliations")
