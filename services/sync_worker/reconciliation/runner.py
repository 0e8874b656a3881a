"""Background loop of each worker replica: claims queued reconciliation runs one at a time
and keeps the run's lease while it works (a dead replica's run is taken over)."""

from __future__ import annotations

import asyncio
import contextlib
from uuid import UUID

import asyncpg
import structlog

from . import repository as repo
from .service import ReconciliationService
from .settings import ReconciliationSettings

log = structlog.get_logger(__name__)


class ReconciliationRunner:
    def __init__(
        self,
        pool: asyncpg.Pool,
        service: ReconciliationService,
        settings: ReconciliationSettings,
        *,
        worker_id: str,
    ) -> None:
        self._pool = pool
        self._service = service
        self._settings = settings
        self._worker_id = worker_id
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                worked = await self.run_once()
            except Exception:  # an outage or a bug: logged, and the loop goes on
                log.exception("reconciliation_loop_error")
                worked = False
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self._settings.poll_seconds)

    async def run_once(self) -> bool:
        run = await repo.claim_run(self._pool, self._worker_id, self._settings.lease_seconds)
        if run is None:
            return False
        log.info("reconciliation_started", tenant_id=run.tenant_id, run=str(run.reconciliation_id))
        keeper = asyncio.create_task(self._keep_lease(run.reconciliation_id))
        try:
            await self._service.run(run)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        return True

    async def _keep_lease(self, reconciliation_id: UUID) -> None:
        every = self._settings.lease_seconds / 3
        while True:
            await asyncio.sleep(every)
            await repo.extend_lease(
                self._pool,
                reconciliation_id,
                self._worker_id,
                self._settings.lease_seconds,
            )
