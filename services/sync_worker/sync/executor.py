"""Claims ready units of work from PostgreSQL and runs them, fairly across tenants.

Every replica runs one executor. Fairness: tenants are visited round-robin, most urgent
first (pushes before background sync), and each tenant may hold at most
`per_tenant_concurrency` of this replica's `concurrency` slots, so a tenant whose QuickBooks
company is throttled (its tasks wait for the shared rate budget) can never occupy the
replica. Safety: a unit is leased; the lease is extended while it runs and expires if the
replica dies, so another replica takes it over; the end of a unit (state, ledger, result
event in the outbox) is one transaction that only commits while this replica holds the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
import structlog

from services.contract.errors import ErrorCode
from services.contract.results import Trigger
from services.platform.outbox import enqueue
from services.sync_worker.observability import metrics
from services.sync_worker.results.builders import ResultSubject, failed, sync_error
from services.sync_worker.sync import work_items
from services.sync_worker.sync.completion import Completion
from services.sync_worker.sync.work_items import WorkItem

log = structlog.get_logger(__name__)

Runner = Callable[[WorkItem], Awaitable[Completion]]


@dataclass(frozen=True, slots=True)
class ExecutorSettings:
    concurrency: int = 16
    per_tenant_concurrency: int = 4
    lease_seconds: float = 30.0
    idle_poll_seconds: float = 0.5
    max_attempts: int = 5
    cdc_interval_seconds: float = 300.0


class Executor:
    def __init__(
        self,
        pool: asyncpg.Pool,
        runners: dict[str, Runner],
        settings: ExecutorSettings,
        *,
        worker_id: str,
    ) -> None:
        self._pool = pool
        self._runners = runners
        self._settings = settings
        self._worker_id = worker_id
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._per_tenant: Counter[str] = Counter()
        # unit id -> (attempt it was claimed with, the task running it)
        self._running: dict[int, tuple[int, asyncio.Task[None]]] = {}
        self._dispatch: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._drained = asyncio.Event()
        self._rotation = 0
        self.completed = 0

    # -- lifecycle --------------------------------------------------------------------------

    async def run(self) -> None:
        async with self._pool.acquire() as listener:
            await listener.add_listener(work_items.NOTIFY_CHANNEL, self._on_notify)
            self._dispatch = asyncio.create_task(self._dispatch_loop(), name="executor-dispatch")
            housekeeping = [
                asyncio.create_task(self._lease_loop(), name="executor-leases"),
                asyncio.create_task(self._cdc_scheduler(), name="executor-cdc"),
            ]
            try:
                await self._stopping.wait()
                # stop() drains; leases keep being extended until it has handed work back.
                await self._drained.wait()
            finally:
                for task in [self._dispatch, *housekeeping]:
                    task.cancel()
                await asyncio.gather(self._dispatch, *housekeeping, return_exceptions=True)
                with contextlib.suppress(Exception):
                    await listener.remove_listener(work_items.NOTIFY_CHANNEL, self._on_notify)

    async def stop(self, grace_seconds: float) -> None:
        """Stop claiming, let running units finish within the grace period, hand back the rest."""
        self._stopping.set()
        self._wake.set()
        if self._dispatch is not None:
            # No claim round may start units after this point.
            self._dispatch.cancel()
            await asyncio.gather(self._dispatch, return_exceptions=True)
        try:
            running = {item_id: entry for item_id, entry in self._running.items()}
            if running:
                tasks = [task for _, task in running.values()]
                _, pending = await asyncio.wait(tasks, timeout=grace_seconds)
                unfinished = [
                    (item_id, attempts)
                    for item_id, (attempts, task) in running.items()
                    if task in pending
                ]
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                if unfinished:
                    with contextlib.suppress(Exception):
                        async with self._pool.acquire() as conn:
                            await work_items.release(conn, unfinished, worker_id=self._worker_id)
                    log.info("work_released_on_shutdown", units=len(unfinished))
        finally:
            self._drained.set()

    def in_flight(self) -> int:
        return len(self._running)

    def _on_notify(self, *_args: object) -> None:
        self._wake.set()

    # -- loops ------------------------------------------------------------------------------

    async def _dispatch_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                claimed = await self._claim_round()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("executor_claim_failed", error=repr(exc))
                claimed = 0
                await asyncio.sleep(1.0)
            if claimed == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._settings.idle_poll_seconds)
                self._wake.clear()
            elif self._slots.locked():
                # Full: wait until a unit finishes before asking the database again.
                await self._slots.acquire()
                self._slots.release()

    async def _claim_round(self) -> int:
        cap = self._settings.per_tenant_concurrency
        claimed = 0
        async with self._pool.acquire() as conn:
            tenants = await work_items.ready_tenants(conn, limit=500)
            if not tenants:
                return 0
            start = self._rotation % len(tenants)
            self._rotation += 1
            for tenant in tenants[start:] + tenants[:start]:
                if self._stopping.is_set():
                    break
                free = self._settings.concurrency - len(self._running)
                if free <= 0:
                    break
                room = min(cap - self._per_tenant[tenant], free)
                if room <= 0:
                    continue
                items = await work_items.claim(
                    conn,
                    tenant,
                    worker_id=self._worker_id,
                    lease_seconds=self._settings.lease_seconds,
                    limit=room,
                )
                for item in items:
                    await self._slots.acquire()
                    self._per_tenant[tenant] += 1
                    self._running[item.id] = (
                        item.attempts,
                        asyncio.create_task(self._execute(item), name=f"unit-{item.id}"),
                    )
                claimed += len(items)
        return claimed

    async def _lease_loop(self) -> None:
        every = max(self._settings.lease_seconds / 3, 0.5)
        while True:
            await asyncio.sleep(every)
            try:
                async with self._pool.acquire() as conn:
                    if self._running:
                        await work_items.extend_leases(
                            conn,
                            [(i, attempts) for i, (attempts, _) in self._running.items()],
                            worker_id=self._worker_id,
                            lease_seconds=self._settings.lease_seconds,
                        )
                    recovered = await work_items.recover_expired_leases(conn)
                if recovered:
                    log.warning("expired_leases_recovered", units=recovered)
                    self._wake.set()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("lease_maintenance_failed", error=repr(exc))

    async def _cdc_scheduler(self) -> None:
        """Keeps one CDC sweep pending per connected two-way tenant (safety net for webhooks)."""
        while True:
            try:
                async with self._pool.acquire() as conn:
                    tenants = await conn.fetch(
                        "SELECT c.tenant_id FROM quickbooks_connections c "
                        "LEFT JOIN tenants t ON t.tenant_id = c.tenant_id "
                        "WHERE c.status = 'connected' AND NOT coalesce(t.manual_push, false)"
                    )
                    for row in tenants:
                        await work_items.schedule_cdc(
                            conn, row["tenant_id"], self._settings.cdc_interval_seconds
                        )
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("cdc_scheduling_failed", error=repr(exc))
            await asyncio.sleep(min(self._settings.cdc_interval_seconds / 2, 30.0))

    # -- one unit ---------------------------------------------------------------------------

    async def _execute(self, item: WorkItem) -> None:
        started = time.perf_counter()
        try:
            completion = await self._completion(item)
            await self._commit(item, completion)
            if completion.retry_in_seconds is not None:
                metrics.UNIT_RETRIES.labels(item.kind, completion.outcome[6:]).inc()
            else:
                metrics.UNITS_PROCESSED.labels(item.kind, completion.outcome).inc()
                metrics.UNIT_SECONDS.labels(item.kind).observe(time.perf_counter() - started)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the lease expires and another attempt follows
            log.error("unit_commit_failed", work_item=item.id, error=repr(exc))
        finally:
            # A newer claim of the same unit (after this one's lease expired) keeps its entry.
            entry = self._running.get(item.id)
            if entry is not None and entry[1] is asyncio.current_task():
                del self._running[item.id]
            self._per_tenant[item.tenant_id] -= 1
            if self._per_tenant[item.tenant_id] <= 0:
                del self._per_tenant[item.tenant_id]
            self._slots.release()
            self._wake.set()

    async def _completion(self, item: WorkItem) -> Completion:
        runner = self._runners[item.kind]
        try:
            return await runner(item)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("unit_crashed", work_item=item.id, kind=item.kind)
            if item.attempts < self._settings.max_attempts:
                return Completion.retry(min(2.0**item.attempts, 60.0), "internal_error")
            if item.invoice_id is None:
                return Completion(outcome=f"failed:{type(exc).__name__}")
            subject = ResultSubject(
                item.tenant_id,
                item.invoice_id,
                item.invoice_version,
                trigger=Trigger.PUSH if item.kind == "push" else Trigger.AUTO,
                batch_id=item.batch_id,
                batch_size=item.batch_size,
            )
            return Completion(
                outcome="failed:INTERNAL_ERROR",
                messages=[
                    failed(
                        subject,
                        sync_error(ErrorCode.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}"),
                        attempts=item.attempts,
                    )
                ],
            )

    async def _commit(self, item: WorkItem, completion: Completion) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            if completion.retry_in_seconds is not None:
                await work_items.retry_later(
                    conn,
                    item,
                    worker_id=self._worker_id,
                    delay_seconds=completion.retry_in_seconds,
                    count_attempt=completion.counts_as_attempt,
                )
                return
            if not await work_items.finish(
                conn, item, worker_id=self._worker_id, outcome=completion.outcome
            ):
                log.warning("unit_lease_lost", work_item=item.id)
                return
            for write in completion.ledger_writes:
                await write(conn)
            await enqueue(conn, completion.messages)
        self.completed += 1
