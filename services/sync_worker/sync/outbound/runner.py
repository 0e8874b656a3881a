"""Runs one outbound unit: decide what it needs, act, return one completion."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog

from services.contract.errors import ErrorCode
from services.contract.results import Operation
from services.sync_worker.quickbooks import Invoice, QuickBooksError
from services.sync_worker.results.builders import ResultSubject
from services.sync_worker.sync import completions
from services.sync_worker.sync.completion import Completion, LedgerStatus, UnitKind
from services.sync_worker.sync.context import InvoiceContext
from services.sync_worker.sync.domain.failures import SyncFailure
from services.sync_worker.sync.domain.plan import Action, action_for
from services.sync_worker.sync.domain.retry import RetryPolicy
from services.sync_worker.sync.domain.translate import require_mapped, to_quickbooks
from services.sync_worker.sync.outbound.create import create_or_adopt
from services.sync_worker.sync.outbound.customers import CustomerResolver
from services.sync_worker.sync.outbound.removal import remove
from services.sync_worker.sync.outbound.unit import Unit, current_invoice
from services.sync_worker.sync.outbound.update import update_or_conflict
from services.sync_worker.sync.ports import OutboundStore, QuickBooksCompanies
from services.sync_worker.sync.work_items import WorkItem

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    unknown_invoice_grace_seconds: float = 10.0


class Outbound:
    def __init__(
        self, store: OutboundStore, quickbooks: QuickBooksCompanies, policy: OutboundPolicy
    ) -> None:
        self._store = store
        self._qbo = quickbooks
        self._policy = policy
        self._customers = CustomerResolver()

    async def run(self, item: WorkItem) -> Completion:
        assert item.invoice_id is not None
        ctx = await self._store.load_context(item.tenant_id, item.invoice_id)
        subject = completions.subject_of(item, ctx.snapshot)
        try:
            return await self._run(item, ctx, subject)
        except SyncFailure as failure:
            return completions.failure(
                item, subject, failure.code, failure.message, failure.details
            )
        except QuickBooksError as error:
            if error.retryable and self._policy.retry.may_retry(item.attempts):
                delay = self._policy.retry.backoff(item.attempts)
                log.warning(
                    "unit_retry_scheduled",
                    work_item=item.id,
                    code=error.code.value,
                    attempts=item.attempts,
                    delay=delay,
                )
                return Completion.retry_in(delay, error.code.value)
            return completions.failure(item, subject, error.code, error.message, error.details)

    async def _run(self, item: WorkItem, ctx: InvoiceContext, subject: ResultSubject) -> Completion:
        settled = self._settled_without_quickbooks(item, ctx, subject)
        if settled is not None:
            return settled
        assert ctx.event_type is not None
        unit = Unit(item, ctx, subject, await self._qbo.client(item.tenant_id))
        action = action_for(ctx.event_type)
        if action is Action.DELETE:
            if unit.push:
                raise SyncFailure(
                    ErrorCode.INVOICE_NOT_SENDABLE,
                    "The invoice was deleted in MediaOS, so it cannot be sent.",
                )
            return await remove(unit, Operation.DELETE)
        if action is Action.VOID:
            return await remove(unit, Operation.VOID)
        return await self._upsert(unit)

    def _settled_without_quickbooks(
        self, item: WorkItem, ctx: InvoiceContext, subject: ResultSubject
    ) -> Completion | None:
        if ctx.snapshot is None or ctx.event_type is None:
            return self._unknown_invoice(item, subject)
        if item.kind is UnitKind.PUSH:
            return None
        if ctx.settings.manual_push:
            return completions.skip(subject, ErrorCode.MANUAL_PUSH_MODE)
        wanted = item.invoice_version or ctx.snapshot.version
        if ctx.snapshot.version > wanted:
            # A newer version arrived (and queued its own unit) after this one started.
            return completions.skip(
                subject,
                ErrorCode.SUPERSEDED,
                f"Version {wanted} was replaced by version {ctx.snapshot.version} "
                "before it was sent.",
            )
        entry = ctx.ledger
        if entry and entry.external_id and (entry.synced_version or 0) >= wanted:
            # This version reached QuickBooks already (e.g. a push sent it).
            return completions.success(
                item, subject, Operation.NONE, entry.external_id, entry.external_number
            )
        return None

    async def _upsert(self, unit: Unit) -> Completion:
        ctx, snapshot = unit.ctx, unit.ctx.snapshot
        assert snapshot is not None
        item_ids = require_mapped(snapshot, ctx.item_ids, ctx.product_names)
        customer_id = await self._customers.resolve(
            self._store, unit.client, unit.tenant_id, snapshot.customer
        )
        desired = to_quickbooks(
            snapshot,
            customer_id=customer_id,
            item_ids=item_ids,
            number_prefix=ctx.settings.invoice_number_prefix,
        )
        entry = ctx.ledger
        generation = entry.generation if entry else 0
        existing: Invoice | None = None
        if entry and entry.external_id:
            if entry.status != LedgerStatus.DELETED:
                existing = await current_invoice(unit.client, entry.external_id)
            if existing is None:
                if not unit.push:
                    raise SyncFailure(
                        ErrorCode.QBO_NOT_FOUND,
                        f"QuickBooks invoice {entry.external_id} was deleted in QuickBooks.",
                        {"external_id": entry.external_id},
                    )
                generation += 1  # a push creates it again, as a new QuickBooks invoice
        if existing is not None and entry is not None:
            return await update_or_conflict(unit, entry, existing, desired, generation)
        return await create_or_adopt(unit, self._store, desired, generation)

    def _unknown_invoice(self, item: WorkItem, subject: ResultSubject) -> Completion:
        waited = (datetime.now(UTC) - item.created_at).total_seconds()
        if waited < self._policy.unknown_invoice_grace_seconds:
            # Its event may still be on its way on another partition.
            return Completion.retry_in(1.0, "invoice_not_seen_yet", counts_as_attempt=False)
        return completions.failure(
            item,
            subject,
            ErrorCode.INVOICE_UNKNOWN,
            f"No invoice {subject.invoice_id!r} has been received from MediaOS.",
        )
