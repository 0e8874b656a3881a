"""Starts the reconciliation loop of a worker replica (called by the entrypoint)."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx

from services.sync_worker.quickbooks import QuickBooksService
from services.sync_worker.quickbooks.metrics import MetricsHook

from .runner import ReconciliationRunner
from .service import ReconciliationService
from .settings import ReconciliationSettings


def start_reconciliations(
    pool: asyncpg.Pool,
    quickbooks: QuickBooksService,
    worker_id: str,
    metrics: MetricsHook | None = None,
    settings: ReconciliationSettings | None = None,
) -> asyncio.Task[None]:
    chosen = settings or ReconciliationSettings()
    config = quickbooks.config

    async def main() -> None:
        timeout = httpx.Timeout(
            config.request_timeout_seconds, connect=config.connect_timeout_seconds
        )
        async with httpx.AsyncClient(timeout=timeout) as http:
            service = ReconciliationService(
                pool,
                quickbooks,
                http,
                share=chosen.rate_share,
                worker_id=worker_id,
                metrics=metrics,
            )
            await ReconciliationRunner(pool, service, chosen, worker_id=worker_id).run()

    return asyncio.create_task(main(), name="reconciliations")
