"""Runs one reconciliation: reads both sides, compares, and publishes the findings and the
summary through the outbox in the transaction that marks the run done."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import httpx
import structlog

from services.contract.common import utc_now
from services.contract.reconciliation import (
    MAX_FINDINGS_PER_EVENT,
    ReconciliationCompleted,
    ReconciliationFinding,
    ReconciliationPhase,
    ReconciliationProgressed,
)
from services.contract.settings import ConflictPolicy
from services.contract.topics import Topic, tenant_key
from services.platform.outbox import OutboxMessage, enqueue, event_message
from services.sync_worker.quickbooks import QuickBooksError, QuickBooksService
from services.sync_worker.quickbooks.metrics import MetricsHook
from services.sync_worker.quickbooks.tokens import broken_error

from . import repository as repo
from .domain.categorise import categorise
from .domain.model import LedgerRow, MediaosInvoice, TenantView
from .domain.totals import totals
from .reader import background_client, read_invoices
from .repository import Run

log = structlog.get_logger(__name__)


@dataclass
class _Inputs:
    realm_id: str | None
    broken_reason: str | None
    conflict_policy: ConflictPolicy
    tenant: TenantView
    invoices: list[MediaosInvoice]
    ledger: dict[str, LedgerRow]


@dataclass
class _Outcome:
    findings: list[ReconciliationFinding]
    calls: int
    started: datetime
    error: str | None


class ReconciliationService:
    def __init__(
        self,
        pool: asyncpg.Pool,
        quickbooks: QuickBooksService,
        http: httpx.AsyncClient,
        *,
        share: float,
        worker_id: str,
        metrics: MetricsHook | None = None,
    ) -> None:
        self._pool = pool
        self._qbo = quickbooks
        self._http = http
        self._share = share
        self._worker_id = worker_id
        self._metrics = metrics

    async def run(self, run: Run) -> str:
        """Returns the outcome recorded on the run ("completed", "failed" or "lease_lost")."""
        started = utc_now()
        calls = [0]
        inputs = await self._inputs(run.tenant_id)
        error: str | None = None
        findings: list[ReconciliationFinding] = []
        try:
            total = len(inputs.invoices)
            await self._publish(
                run, [_progress(run, ReconciliationPhase.READING_QUICKBOOKS, 0, total, 0)]
            )
            if inputs.broken_reason is not None:
                # Nothing can be compared: say so (reconnect) rather than report every
                # invoice as not sendable as if the tenant had never connected.
                raise broken_error(run.tenant_id, inputs.broken_reason)
            quickbooks = []
            if inputs.realm_id is not None:
                client = background_client(
                    self._qbo,
                    self._pool,
                    self._http,
                    tenant_id=run.tenant_id,
                    realm_id=inputs.realm_id,
                    share=self._share,
                    on_request=lambda _m: _count(calls),
                    metrics=self._metrics,
                )
                ids = [
                    e.external_id
                    for e in inputs.ledger.values()
                    if e.external_id and e.status != "deleted"
                ]
                quickbooks = await read_invoices(client, inputs.tenant.number_prefix, ids)
            findings = await asyncio.to_thread(
                categorise, inputs.invoices, inputs.ledger, quickbooks, inputs.tenant
            )
        except QuickBooksError as exc:
            error = f"{exc.code.value}: {exc.message}"
            log.warning("reconciliation_failed", tenant_id=run.tenant_id, code=exc.code.value)
        except Exception as exc:
            # A run must end with a completion event, never stay "running" forever.
            log.exception("reconciliation_crashed", tenant_id=run.tenant_id)
            error = f"INTERNAL: {type(exc).__name__}"
        return await self._finish(run, inputs, _Outcome(findings, calls[0], started, error))

    async def _inputs(self, tenant_id: str) -> _Inputs:
        async with self._pool.acquire() as conn:
            realm, broken = await repo.connection_state(conn, tenant_id)
            prefix, policy = await repo.tenant_settings(conn, tenant_id)
            tenant = await repo.tenant_view(conn, tenant_id, realm, prefix)
            invoices = await repo.invoices(conn, tenant_id)
            ledger = await repo.ledger_rows(conn, tenant_id, realm) if realm else {}
        return _Inputs(realm, broken, policy, tenant, invoices, ledger)

    async def _finish(self, run: Run, inputs: _Inputs, outcome: _Outcome) -> str:
        state = "failed" if outcome.error else "completed"
        # Building and serialising thousands of findings: off the event loop.
        report, count = await asyncio.to_thread(_report, run, inputs, outcome)
        async with self._pool.acquire() as conn, conn.transaction():
            if not await repo.finish_run(conn, run.reconciliation_id, self._worker_id, state):
                return "lease_lost"
            await enqueue(conn, report)
        log.info(
            "reconciliation_finished",
            tenant_id=run.tenant_id,
            reconciliation_id=str(run.reconciliation_id),
            state=state,
            invoices=count,
            quickbooks_calls=outcome.calls,
        )
        return state

    async def _publish(
        self, run: Run, events: Sequence[ReconciliationProgressed | ReconciliationCompleted]
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await enqueue(conn, _messages(run, events))


def _report(run: Run, inputs: _Inputs, outcome: _Outcome) -> tuple[list[OutboxMessage], int]:
    """The findings in chunks, then the summary, as outbox messages; and the invoice count."""
    findings, calls, error = outcome.findings, outcome.calls, outcome.error
    per_category, overall = totals(findings)
    chunks = [
        findings[i : i + MAX_FINDINGS_PER_EVENT]
        for i in range(0, len(findings), MAX_FINDINGS_PER_EVENT)
    ]
    total = len(inputs.invoices)
    events: list[ReconciliationProgressed | ReconciliationCompleted] = [
        _progress(run, ReconciliationPhase.REPORTING, total, total, calls, n, chunk)
        for n, chunk in enumerate(chunks, start=1)
    ]
    events.append(
        ReconciliationCompleted(
            tenant_id=run.tenant_id,
            reconciliation_id=run.reconciliation_id,
            state="failed" if error else "completed",
            realm_id=inputs.realm_id,
            conflict_policy=inputs.conflict_policy,
            invoices_total=overall.count,
            categories=per_category,
            totals=overall,
            quickbooks_calls=calls,
            finding_chunks=len(chunks),
            started_at=outcome.started,
            error=error,
        )
    )
    return _messages(run, events), overall.count


def _progress(
    run: Run,
    phase: ReconciliationPhase,
    checked: int,
    total: int,
    calls: int,
    chunk: int | None = None,
    findings: Sequence[ReconciliationFinding] = (),
) -> ReconciliationProgressed:
    return ReconciliationProgressed(
        tenant_id=run.tenant_id,
        reconciliation_id=run.reconciliation_id,
        phase=phase,
        invoices_checked=checked,
        invoices_total=total,
        quickbooks_calls=calls,
        chunk=chunk,
        findings=list(findings),
    )


def _count(calls: list[int]) -> None:
    calls[0] += 1


def _messages(
    run: Run, events: Sequence[ReconciliationProgressed | ReconciliationCompleted]
) -> list[OutboxMessage]:
    key = tenant_key(run.tenant_id)
    return [event_message(Topic.RECONCILIATIONS.value, key, e) for e in events]
