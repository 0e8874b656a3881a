"""MediaOS -> QuickBooks: runs one unit of work (automatic sync or one invoice of a push).

Reads what it needs, talks to QuickBooks with deterministic request ids, and returns a
`Completion` (result event + ledger writes) that the executor commits together with the end
of the unit. Nothing here commits anything itself except the customer link cache.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog

from services.contract.errors import ErrorCode
from services.contract.invoices import InvoiceSnapshot
from services.contract.results import Operation, Trigger
from services.sync_worker.quickbooks import (
    Customer,
    EmailAddress,
    Invoice,
    QuickBooksClient,
    QuickBooksError,
    QuickBooksService,
)
from services.sync_worker.results.builders import (
    ResultSubject,
    failed,
    skipped,
    succeeded,
    sync_error,
)
from services.sync_worker.sync import context, ledger
from services.sync_worker.sync.completion import Completion, LedgerWrite
from services.sync_worker.sync.context import InvoiceContext
from services.sync_worker.sync.domain import request_ids
from services.sync_worker.sync.domain.failures import SyncFailure
from services.sync_worker.sync.domain.fingerprint import differences, fingerprint
from services.sync_worker.sync.domain.plan import (
    Action,
    ConflictOutcome,
    UpsertStep,
    action_for,
    decide_update,
)
from services.sync_worker.sync.domain.translate import require_mapped, to_quickbooks
from services.sync_worker.sync.work_items import WorkItem

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    max_attempts: int = 5
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 60.0
    unknown_invoice_grace_seconds: float = 10.0


class Outbound:
    def __init__(
        self, pool: asyncpg.Pool, quickbooks: QuickBooksService, policy: OutboundPolicy
    ) -> None:
        self._pool = pool
        self._qbo = quickbooks
        self._policy = policy

    async def run(self, item: WorkItem) -> Completion:
        assert item.invoice_id is not None
        async with self._pool.acquire() as conn:
            ctx = await context.load(conn, item.tenant_id, item.invoice_id)
        subject = self._subject(item, ctx)
        try:
            return await self._run(item, ctx, subject)
        except SyncFailure as failure:
            return self._failed(item, subject, failure.code, failure.message, failure.details)
        except QuickBooksError as error:
            if error.retryable and item.attempts < self._policy.max_attempts:
                delay = min(
                    self._policy.retry_base_seconds * 2 ** (item.attempts - 1),
                    self._policy.retry_max_seconds,
                )
                log.warning(
                    "unit_retry_scheduled",
                    work_item=item.id,
                    code=error.code.value,
                    attempts=item.attempts,
                    delay=delay,
                )
                return Completion.retry(delay, error.code.value)
            return self._failed(item, subject, error.code, error.message, error.details)

    # -- decisions --------------------------------------------------------------------------

    async def _run(self, item: WorkItem, ctx: InvoiceContext, subject: ResultSubject) -> Completion:
        push = item.kind == "push"
        if ctx.snapshot is None or ctx.event_type is None:
            return self._unknown_invoice(item, subject)
        if not push:
            if ctx.settings.manual_push:
                return self._skipped(subject, ErrorCode.MANUAL_PUSH_MODE)
            wanted = item.invoice_version or ctx.snapshot.version
            if ctx.snapshot.version > wanted:
                # A newer version arrived (and queued its own unit) after this one started.
                return self._skipped(
                    subject,
                    ErrorCode.SUPERSEDED,
                    f"Version {wanted} was replaced by version {ctx.snapshot.version} "
                    "before it was sent.",
                )
            entry = ctx.ledger
            if entry and entry.external_id and (entry.synced_version or 0) >= wanted:
                return self._already_there(item, subject, entry)
        client = await self._qbo.client(item.tenant_id)
        action = action_for(ctx.event_type)
        if action is Action.DELETE:
            if push:
                raise SyncFailure(
                    ErrorCode.INVOICE_NOT_SENDABLE,
                    "The invoice was deleted in MediaOS, so it cannot be sent.",
                )
            return await self._remove(item, ctx, subject, client, Operation.DELETE)
        if action is Action.VOID:
            return await self._remove(item, ctx, subject, client, Operation.VOID)
        return await self._upsert(item, ctx, ctx.snapshot, subject, client, push=push)

    async def _upsert(
        self,
        item: WorkItem,
        ctx: InvoiceContext,
        snapshot: InvoiceSnapshot,
        subject: ResultSubject,
        client: QuickBooksClient,
        *,
        push: bool,
    ) -> Completion:
        item_ids = require_mapped(snapshot, ctx.item_ids, ctx.product_names)
        customer_id = await self._customer(item, snapshot, client)
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
            existing = (
                None
                if entry.status == "deleted"
                else await self._current(client, entry.external_id)
            )
            if existing is None:
                if not push:
                    raise SyncFailure(
                        ErrorCode.QBO_NOT_FOUND,
                        f"QuickBooks invoice {entry.external_id} was deleted in QuickBooks.",
                        {"external_id": entry.external_id},
                    )
                generation += 1  # a push creates it again, as a new QuickBooks invoice
        if existing is None and ((entry and entry.create_pending) or item.attempts > 1):
            # An earlier attempt may have created it and died before recording it; QuickBooks
            # replays a create by request id, but its retention is undocumented: look first.
            adopted = await self._created_earlier(client, desired, snapshot.invoice_id)
            if adopted is not None:
                written = await client.update_invoice(
                    desired.model_copy(update={"id": adopted.id, "sync_token": adopted.sync_token}),
                    request_id=request_ids.write_id(item.id, f"adopt-{adopted.sync_token}"),
                    sparse=True,
                    on_stale="reread_and_retry",
                )
                return self._written(
                    item, subject, client, snapshot, written, Operation.CREATE, generation
                )
        if existing is not None and entry is not None:
            decision = decide_update(
                last_synced_token=entry.sync_token,
                last_synced=entry.fingerprint,
                current_token=existing.sync_token,
                current=fingerprint(existing),
                desired=fingerprint(desired),
                policy=ctx.settings.conflict_policy,
                explicit_push=push,
            )
            if decision.step is UpsertStep.ALREADY_THERE:
                return self._written(
                    item, subject, client, snapshot, existing, Operation.UPDATE, generation
                )
            if decision.step is UpsertStep.CONFLICT:
                assert decision.conflict is not None
                return self._conflict(item, subject, entry, existing, desired, decision.conflict)
            update = desired.model_copy(
                update={"id": existing.id, "sync_token": existing.sync_token}
            )
            written = await client.update_invoice(
                update,
                request_id=request_ids.write_id(item.id, f"update-{existing.sync_token}"),
                sparse=True,
                on_stale="reread_and_retry" if push else "raise",
            )
            operation = Operation.UPDATE
        else:
            async with self._pool.acquire() as conn:
                await ledger.mark_create_pending(
                    conn, item.tenant_id, snapshot.invoice_id, client.realm_id, generation
                )
            written = await client.create_invoice(
                desired,
                request_id=request_ids.create_invoice_id(
                    item.tenant_id, snapshot.invoice_id, generation
                ),
            )
            if fingerprint(written) != fingerprint(desired):
                # QuickBooks replayed a create made from an older version of the invoice
                # (same request id): bring it up to date.
                written = await client.update_invoice(
                    desired.model_copy(update={"id": written.id, "sync_token": written.sync_token}),
                    request_id=request_ids.write_id(item.id, f"refresh-{written.sync_token}"),
                    sparse=True,
                    on_stale="reread_and_retry",
                )
            operation = Operation.CREATE
        return self._written(item, subject, client, snapshot, written, operation, generation)

    async def _remove(
        self,
        item: WorkItem,
        ctx: InvoiceContext,
        subject: ResultSubject,
        client: QuickBooksClient,
        operation: Operation,
    ) -> Completion:
        entry = ctx.ledger
        if entry is None or not entry.external_id or entry.status == "deleted":
            return self._skipped(subject, ErrorCode.NOT_IN_QUICKBOOKS)
        current = await self._current(client, entry.external_id)
        if current is None or current.id is None or current.sync_token is None:
            # Already gone in QuickBooks: the MediaOS deletion/void holds there too.
            ledger_status = "deleted"
            return self._finished_removal(item, subject, entry.external_id, entry, ledger_status)
        decision = decide_update(
            last_synced_token=entry.sync_token,
            last_synced=entry.fingerprint,
            current_token=current.sync_token,
            current=fingerprint(current),
            desired=None,
            policy=ctx.settings.conflict_policy,
            explicit_push=False,
        )
        if decision.step is UpsertStep.CONFLICT:
            assert decision.conflict is not None
            return self._conflict(item, subject, entry, current, None, decision.conflict)
        if operation is Operation.DELETE:
            await client.delete_invoice(
                current.id,
                current.sync_token,
                request_id=request_ids.write_id(item.id, "delete"),
                on_stale="reread_and_retry",
            )
            return self._finished_removal(item, subject, current.id, entry, "deleted")
        voided = await client.void_invoice(
            current.id,
            current.sync_token,
            request_id=request_ids.write_id(item.id, "void"),
            on_stale="reread_and_retry",
        )
        completion = self._finished_removal(item, subject, current.id, entry, "voided")
        completion.ledger_writes.append(
            self._ledger_write(
                item, entry.invoice_id, client, voided, None, entry.generation, "voided"
            )
        )
        return completion

    # -- helpers ----------------------------------------------------------------------------

    async def _current(self, client: QuickBooksClient, external_id: str) -> Invoice | None:
        try:
            return await client.get_invoice(external_id)
        except QuickBooksError as error:
            if error.code is ErrorCode.QBO_NOT_FOUND:
                return None
            raise

    async def _created_earlier(
        self, client: QuickBooksClient, desired: Invoice, invoice_id: str
    ) -> Invoice | None:
        if not desired.doc_number:
            return None
        marker = desired.private_note or ""
        for found in await client.find_invoices_by_doc_number(desired.doc_number):
            if (found.private_note or "").endswith(marker) and marker:
                log.info("earlier_create_adopted", invoice_id=invoice_id, external_id=found.id)
                return found
        return None

    async def _customer(
        self, item: WorkItem, snapshot: InvoiceSnapshot, client: QuickBooksClient
    ) -> str:
        src = snapshot.customer
        async with self._pool.acquire() as conn:
            linked = await ledger.customer_link(
                conn, item.tenant_id, src.customer_id, client.realm_id
            )
        if linked:
            return linked
        customer = await client.find_or_create_customer(
            Customer(
                display_name=src.display_name,
                primary_email_addr=EmailAddress(address=src.email) if src.email else None,
            ),
            request_id=request_ids.customer_id(item.tenant_id, src.customer_id, src.display_name),
        )
        assert customer.id is not None
        async with self._pool.acquire() as conn:
            await ledger.save_customer_link(
                conn,
                item.tenant_id,
                src.customer_id,
                client.realm_id,
                customer.id,
                customer.display_name,
            )
        return customer.id

    def _subject(self, item: WorkItem, ctx: InvoiceContext) -> ResultSubject:
        assert item.invoice_id is not None
        if item.kind == "push" or item.invoice_version is None:
            version = ctx.snapshot.version if ctx.snapshot else item.invoice_version
        else:
            version = item.invoice_version
        return ResultSubject(
            tenant_id=item.tenant_id,
            invoice_id=item.invoice_id,
            invoice_version=version,
            trigger=Trigger.PUSH if item.kind == "push" else Trigger.AUTO,
            batch_id=item.batch_id,
            batch_size=item.batch_size,
        )

    def _already_there(
        self, item: WorkItem, subject: ResultSubject, entry: ledger.LedgerEntry
    ) -> Completion:
        """This version reached QuickBooks already (e.g. a push sent it): nothing to write."""
        assert entry.external_id is not None
        return Completion(
            outcome="succeeded:none",
            messages=[
                succeeded(
                    subject,
                    Operation.NONE,
                    external_id=entry.external_id,
                    external_number=entry.external_number,
                    attempts=item.attempts,
                )
            ],
        )

    def _unknown_invoice(self, item: WorkItem, subject: ResultSubject) -> Completion:
        waited = (datetime.now(UTC) - item.created_at).total_seconds()
        if waited < self._policy.unknown_invoice_grace_seconds:
            # Its event may still be on its way on another partition.
            return Completion.retry(1.0, "invoice_not_seen_yet", counts_as_attempt=False)
        return self._failed(
            item,
            subject,
            ErrorCode.INVOICE_UNKNOWN,
            f"No invoice {subject.invoice_id!r} has been received from MediaOS.",
            {},
        )

    def _conflict(
        self,
        item: WorkItem,
        subject: ResultSubject,
        entry: ledger.LedgerEntry,
        existing: Invoice,
        desired: Invoice | None,
        outcome: ConflictOutcome,
    ) -> Completion:
        wanted = fingerprint(desired) if desired is not None else {}
        diff = differences(entry.fingerprint or {}, fingerprint(existing), wanted)
        details = {
            "external_id": existing.id,
            "quickbooks_sync_token": existing.sync_token,
            "last_synced_sync_token": entry.sync_token,
            "differences": diff,
        }
        fields = ", ".join(d["field"] for d in diff) or "no tracked field"
        if outcome is ConflictOutcome.KEEP_QUICKBOOKS:
            return Completion(
                outcome="skipped:conflict",
                messages=[
                    skipped(
                        subject,
                        sync_error(
                            ErrorCode.QBO_CONFLICT,
                            f"Changed in QuickBooks ({fields}); the conflict policy keeps "
                            "the QuickBooks version.",
                            details,
                        ),
                        attempts=item.attempts,
                    )
                ],
            )
        return self._failed(
            item,
            subject,
            ErrorCode.QBO_CONFLICT,
            f"The invoice was changed in QuickBooks since the last sync ({fields}); "
            "it was not overwritten.",
            details,
        )

    def _written(
        self,
        item: WorkItem,
        subject: ResultSubject,
        client: QuickBooksClient,
        snapshot: InvoiceSnapshot,
        written: Invoice,
        operation: Operation,
        generation: int,
    ) -> Completion:
        assert written.id is not None
        return Completion(
            outcome=f"succeeded:{operation.value}",
            messages=[
                succeeded(
                    subject,
                    operation,
                    external_id=written.id,
                    external_number=written.doc_number,
                    attempts=item.attempts,
                )
            ],
            ledger_writes=[
                self._ledger_write(
                    item,
                    snapshot.invoice_id,
                    client,
                    written,
                    snapshot.version,
                    generation,
                    "active",
                )
            ],
        )

    def _ledger_write(
        self,
        item: WorkItem,
        invoice_id: str,
        client: QuickBooksClient,
        written: Invoice,
        version: int | None,
        generation: int,
        status: str,
    ) -> LedgerWrite:
        assert written.id is not None and written.sync_token is not None
        external_id, sync_token = written.id, written.sync_token

        async def write(conn: asyncpg.Connection) -> None:
            await ledger.record_write(
                conn,
                tenant_id=item.tenant_id,
                invoice_id=invoice_id,
                realm_id=client.realm_id,
                generation=generation,
                external_id=external_id,
                external_number=written.doc_number,
                sync_token=sync_token,
                synced_version=version,
                status=status,
                fingerprint=fingerprint(written),
            )

        return write

    def _finished_removal(
        self,
        item: WorkItem,
        subject: ResultSubject,
        external_id: str,
        entry: ledger.LedgerEntry,
        status: str,
    ) -> Completion:
        operation = Operation.DELETE if status == "deleted" else Operation.VOID
        completion = Completion(
            outcome=f"succeeded:{operation.value}",
            messages=[
                succeeded(
                    subject,
                    operation,
                    external_id=external_id,
                    external_number=entry.external_number,
                    attempts=item.attempts,
                )
            ],
        )
        if status == "deleted":

            async def forget(conn: asyncpg.Connection) -> None:
                await ledger.forget_deleted(
                    conn, item.tenant_id, entry.invoice_id, entry.generation + 1
                )

            completion.ledger_writes.append(forget)
        return completion

    def _skipped(
        self, subject: ResultSubject, code: ErrorCode, message: str | None = None
    ) -> Completion:
        return Completion(
            outcome=f"skipped:{code.value}",
            messages=[skipped(subject, sync_error(code, message))],
        )

    def _failed(
        self,
        item: WorkItem,
        subject: ResultSubject,
        code: ErrorCode,
        message: str,
        details: Mapping[str, Any],
    ) -> Completion:
        return Completion(
            outcome=f"failed:{code.value}",
            messages=[
                failed(
                    subject,
                    sync_error(code, message, dict(details)),
                    attempts=item.attempts,
                )
            ],
        )
