"""Claims ready units of work from PostgreSQL and runs them, fairly across tenants.

Every replica runs one executor. Throughput is bounded by QuickBooks' per-company limits, not
by slots: a unit waiting for its company's rate slot or for QuickBooks' answer costs only a
coroutine, so a replica runs up to `concurrency` units (hundreds), and in-flight calls follow
the number of companies and their latency. Fairness: one claim statement per round serves
every tenant with room, most urgent first (pushes before background sync); a tenant holds at
most `per_tenant_concurrency` units, enough to keep its company's 10 requests/s busy at
QuickBooks' latency, so a big batch never starves another tenant's small one, and inside a
company the pacer sends the most urgent, oldest unit first. Rounds are coalesced
(`claim_interval_seconds`) so finishing units do not each cost a claim statement.
Safety: a unit is leased; the lease is extended while it runs and expires if the replica
dies, so another replica takes it over; the end of a unit (state, ledger, result event in
the outbox) is one transaction that only commits while this replica holds the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import structlog

from services.platform.db_errors import log_loop_error
from services.sync_worker.observability import metrics
from services.sync_worker.quickbooks.pacer import request_priority
from services.sync_worker.quickbooks.rate_limit import RealmNotHeld
from services.sync_worker.sync import completions
from services.sync_worker.sync.claims import ClaimRequest
from services.sync_worker.sync.completion import Completion, UnitKind
from services.sync_worker.sync.domain.retry import RetryPolicy
from services.sync_worker.sync.finisher import Finisher
from services.sync_worker.sync.overdue import RunningUnit, cancel_overdue
from services.sync_worker.sync.ports import WorkQueue
from services.sync_worker.sync.work_items import PRIORITIES, WorkItem

log = structlog.get_logger(__name__)

Runner = Callable[[WorkItem], Awaitable[Completion]]


@dataclass(frozen=True, slots=True)
class ExecutorSettings:
    concurrency: int = 512
    per_tenant_concurrency: int = 16
    lease_seconds: float = 30.0
    idle_poll_seconds: float = 0.5
    claim_interval_seconds: float = 0.05
    # A unit whose company another replica paces goes back to the queue for this long.
    realm_busy_retry_seconds: float = 0.5
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    cdc_interval_seconds: float = 300.0
    # Longer than any bounded wait inside a unit: past it the unit is stuck (`overdue`).
    max_unit_seconds: float = 600.0


class Executor:
    def __init__(
        self,
        queue: WorkQueue,
        runners: Mapping[UnitKind, Runner],
        settings: ExecutorSettings,
        *,
        worker_id: str,
    ) -> None:
        self._queue = queue
        self._runners = runners
        self._settings = settings
        self._worker_id = worker_id
        self._per_tenant: Counter[str] = Counter()
        self._finisher = Finisher(
            lambda done: queue.finish_many(done, worker_id=worker_id),
            lambda item, done: queue.finish(item, done, worker_id=worker_id),
        )
        self._running: dict[int, RunningUnit] = {}  # by unit id
        self._dispatch: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._drained = asyncio.Event()

    # -- lifecycle --------------------------------------------------------------------------

    async def run(self) -> None:
        async with self._queue.listen(self._wake.set):
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

    async def stop(self, grace_seconds: float) -> None:
        """Stop claiming, let running units finish within the grace period, hand back the rest."""
        self._stopping.set()
        self._wake.set()
        if self._dispatch is not None:
            # No claim round may start units after this point.
            self._dispatch.cancel()
            await asyncio.gather(self._dispatch, return_exceptions=True)
        try:
            await self._drain(grace_seconds)
        finally:
            self._drained.set()

    async def _drain(self, grace_seconds: float) -> None:
        running = dict(self._running)
        if not running:
            return
        tasks = [run.task for run in running.values()]
        _, pending = await asyncio.wait(tasks, timeout=grace_seconds)
        unfinished = [
            (item_id, run.attempts) for item_id, run in running.items() if run.task in pending
        ]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if unfinished:
            with contextlib.suppress(Exception):
                await self._queue.release(unfinished, worker_id=self._worker_id)
            log.info("work_released_on_shutdown", units=len(unfinished))

    def in_flight(self) -> int:
        return len(self._running)

    # -- loops ------------------------------------------------------------------------------

    async def _dispatch_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                claimed = await self.claim_round()
            except Exception as exc:  # the loop must outlive any error: nothing runs without it
                log_loop_error(log, "executor_claim_failed", exc)
                claimed = 0
                await asyncio.sleep(1.0)
            if claimed == 0 or len(self._running) >= self._settings.concurrency:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._settings.idle_poll_seconds)
                self._wake.clear()
            # Let more units finish (or NOTIFYs arrive) so one statement claims for all.
            await asyncio.sleep(self._settings.claim_interval_seconds)

    async def claim_round(self) -> int:
        """Claims what this replica has room for, across tenants; starts each unit."""
        free = self._settings.concurrency - len(self._running)
        if self._stopping.is_set() or free <= 0:
            return 0
        items = await self._queue.claim_ready(
            ClaimRequest(
                running=dict(self._per_tenant),
                per_tenant=self._settings.per_tenant_concurrency,
                limit=free,
                worker_id=self._worker_id,
                lease_seconds=self._settings.lease_seconds,
            )
        )
        for item in items:
            self._per_tenant[item.tenant_id] += 1
            task = asyncio.create_task(self._execute(item), name=f"unit-{item.id}")
            self._running[item.id] = RunningUnit(item.attempts, task, time.monotonic())
        return len(items)

    async def _lease_loop(self) -> None:
        every = max(self._settings.lease_seconds / 3, 0.5)
        while True:
            await asyncio.sleep(every)
            try:
                stuck = cancel_overdue(self._running, self._settings.max_unit_seconds)
                if self._running:
                    await self._queue.extend_leases(
                        [(i, r.attempts) for i, r in self._running.items() if i not in stuck],
                        worker_id=self._worker_id,
                        lease_seconds=self._settings.lease_seconds,
                    )
                recovered = await self._queue.recover_expired_leases()
                if recovered:
                    log.warning("expired_leases_recovered", units=recovered)
                    self._wake.set()
            except Exception as exc:
                log_loop_error(log, "lease_maintenance_failed", exc)

    async def _cdc_scheduler(self) -> None:
        """Keeps one CDC sweep pending per connected two-way tenant (safety net for webhooks)."""
        while True:
            try:
                await self._queue.schedule_cdc_sweeps(self._settings.cdc_interval_seconds)
            except Exception as exc:
                log_loop_error(log, "cdc_scheduling_failed", exc)
            await asyncio.sleep(min(self._settings.cdc_interval_seconds / 2, 30.0))

    # -- one unit ---------------------------------------------------------------------------

    async def _execute(self, item: WorkItem) -> None:
        # Each unit runs in its own task, so these bindings stay with this unit's log lines.
        with structlog.contextvars.bound_contextvars(
            tenant_id=item.tenant_id,
            batch_id=str(item.batch_id) if item.batch_id is not None else None,
            invoice_id=item.invoice_id,
            work_item=item.id,
            attempt=item.attempts,
            kind=item.kind.value,
        ):
            await self._execute_bound(item)

    async def _execute_bound(self, item: WorkItem) -> None:
        started = time.perf_counter()
        try:
            completion = await self.completion(item)
            ran = time.perf_counter()
            if not await self._commit(item, completion):
                return
            timing = {
                "run_ms": round((ran - started) * 1000),
                "commit_ms": round((time.perf_counter() - ran) * 1000),
            }
            kind = item.kind.value
            if completion.retry is not None:
                metrics.UNIT_RETRIES.labels(kind, completion.outcome.detail).inc()
                log.info(
                    "unit_retry_scheduled",
                    reason=completion.outcome.detail,
                    delay_seconds=completion.retry.seconds,
                    **timing,
                )
            else:
                log.info(
                    "unit_finished",
                    result=completion.outcome.kind.value,
                    code=completion.outcome.detail or None,
                    **timing,
                )
                metrics.record_unit_end(
                    kind, completion.outcome.kind.value, completion.outcome.detail
                )
                metrics.UNIT_SECONDS.labels(kind).observe(time.perf_counter() - started)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the lease expires and another attempt follows
            log.error("unit_commit_failed", error=repr(exc))
        finally:
            # A newer claim of the same unit (after this one's lease expired) keeps its entry.
            entry = self._running.get(item.id)
            if entry is not None and entry.task is asyncio.current_task():
                del self._running[item.id]
            self._per_tenant[item.tenant_id] -= 1
            if self._per_tenant[item.tenant_id] <= 0:
                del self._per_tenant[item.tenant_id]
            self._wake.set()

    async def completion(self, item: WorkItem) -> Completion:
        """The unit's completion; a crash is retried with backoff, then reported."""
        try:
            with request_priority(PRIORITIES[item.kind], item.id):
                return await self._runners[item.kind](item)
        except asyncio.CancelledError:
            raise
        except RealmNotHeld:
            return Completion.retry_in(
                self._settings.realm_busy_retry_seconds, "realm_not_held", counts_as_attempt=False
            )
        except Exception as exc:
            log.exception("unit_crashed")
            retry = self._settings.retry
            if retry.may_retry(item.attempts):
                return Completion.retry_in(retry.backoff(item.attempts), "internal_error")
            return completions.internal_error(item, exc)

    async def _commit(self, item: WorkItem, completion: Completion) -> bool:
        """False when the lease was lost: another replica owns the unit and its result."""
        if completion.retry is not None:
            await self._queue.retry_later(
                item,
                worker_id=self._worker_id,
                delay_seconds=completion.retry.seconds,
                count_attempt=completion.retry.counts_as_attempt,
            )
            return True
        if not await self._finisher.finish(item, completion):
            log.warning("unit_lease_lost")
            return False
        return True
