"""QuickBooks -> MediaOS: changes made in QuickBooks, from webhooks and CDC sweeps.

A change is published on `quickbooks.invoice-changes.v1` only if it is not one the worker
made itself (its SyncToken is the one our last write produced) and was not published before
(webhook and CDC can both report it): no echo, no ping-pong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal

from services.contract.errors import ErrorCode
from services.contract.quickbooks_changes import QuickBooksInvoiceChanged, QuickBooksInvoiceDeleted
from services.contract.topics import Topic, invoice_key
from services.platform.outbox import event_message
from services.sync_worker.quickbooks import Invoice, InvoiceChanges, QuickBooksError
from services.sync_worker.quickbooks.invoice_mapping import to_domain
from services.sync_worker.sync.completion import (
    CdcCursor,
    Completion,
    InboundPublish,
    LedgerStatus,
    OutcomeKind,
)
from services.sync_worker.sync.domain.echo import is_new_external_change
from services.sync_worker.sync.domain.status import quickbooks_status
from services.sync_worker.sync.ledger import LedgerEntry
from services.sync_worker.sync.ports import InboundStore, QuickBooksCompanies, QuickBooksCompany
from services.sync_worker.sync.work_items import WorkItem

ChangeSource = Literal["webhook", "cdc"]

_CDC_OVERLAP = timedelta(seconds=30)
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class InboundPolicy:
    cdc_initial_lookback_seconds: float = 3600.0


class Inbound:
    def __init__(
        self, store: InboundStore, quickbooks: QuickBooksCompanies, policy: InboundPolicy
    ) -> None:
        self._store = store
        self._qbo = quickbooks
        self._policy = policy

    async def _two_way_client(self, tenant_id: str) -> QuickBooksCompany | None:
        if await self._store.manual_push(tenant_id):
            return None  # One-Way Push: nothing flows back from QuickBooks.
        try:
            return await self._qbo.client(tenant_id)
        except QuickBooksError as error:
            if error.code in (ErrorCode.NOT_CONNECTED, ErrorCode.QBO_AUTH):
                return None
            raise

    async def webhook(self, item: WorkItem) -> Completion:
        client = await self._two_way_client(item.tenant_id)
        if client is None:
            return Completion.of(OutcomeKind.IGNORED, "not_two_way")
        external_id = str(item.payload["external_id"])
        if item.payload.get("realm_id") not in (None, client.realm_id):
            return Completion.of(OutcomeKind.IGNORED, "other_realm")
        entry = await self._store.ledger_by_external_id(
            item.tenant_id, client.realm_id, external_id
        )
        if entry is None:
            return Completion.of(OutcomeKind.IGNORED, "not_synced_by_us")
        if await self._store.outbound_in_flight(entry.tenant_id, entry.invoice_id):
            return Completion.retry_in(2.0, "outbound_in_flight", counts_as_attempt=False)
        if str(item.payload.get("operation", "")).lower() == "delete":
            return self._deleted(entry, "webhook", datetime.now(UTC))
        try:
            invoice = await client.get_invoice(external_id)
        except QuickBooksError as error:
            if error.code is ErrorCode.QBO_NOT_FOUND:
                return self._deleted(entry, "webhook", datetime.now(UTC))
            raise
        return self._changed(entry, invoice, "webhook")

    async def cdc_sweep(self, item: WorkItem) -> Completion:
        client = await self._two_way_client(item.tenant_id)
        if client is None:
            return Completion.of(OutcomeKind.IGNORED, "not_two_way")
        cursor = await self._store.cdc_cursor(item.tenant_id)
        now = datetime.now(UTC)
        since = (
            (cursor - _CDC_OVERLAP)
            if cursor
            else now - timedelta(seconds=self._policy.cdc_initial_lookback_seconds)
        )
        try:
            changes = await client.invoice_changes_since(max(since, now - timedelta(days=29)))
        except QuickBooksError as error:
            # The token refresh on this call found the connection revoked: the connection is
            # now marked broken (and reported); nothing to sweep until it is reconnected.
            if error.code in (ErrorCode.NOT_CONNECTED, ErrorCode.QBO_AUTH):
                return Completion.of(OutcomeKind.IGNORED, "not_connected")
            raise
        completion = Completion.of(OutcomeKind.SWEPT)
        for invoice in changes.changed:
            if invoice.id is None:
                continue
            entry = await self._store.ledger_by_external_id(
                item.tenant_id, client.realm_id, invoice.id
            )
            if entry is None:
                continue
            if await self._store.outbound_in_flight(entry.tenant_id, entry.invoice_id):
                # Sweep again shortly, from the same cursor, once our write is recorded.
                return Completion.retry_in(2.0, "outbound_in_flight", counts_as_attempt=False)
            completion.merge(self._changed(entry, invoice, "cdc"))
        for stub in changes.deleted:
            entry = await self._store.ledger_by_external_id(
                item.tenant_id, client.realm_id, stub.id
            )
            if entry is not None:
                changed_at = (stub.meta_data.last_updated_time if stub.meta_data else None) or now
                completion.merge(self._deleted(entry, "cdc", changed_at))
        completion.cdc_cursor = CdcCursor(item.tenant_id, _next_cursor(changes, now))
        return completion

    def _changed(self, entry: LedgerEntry, invoice: Invoice, source: ChangeSource) -> Completion:
        token = invoice.sync_token or ""
        if not is_new_external_change(
            token, our_last_write=entry.sync_token, last_reported=entry.last_inbound_token
        ):
            return Completion.of(OutcomeKind.IGNORED, "own_or_known_change")
        assert invoice.id is not None
        event = QuickBooksInvoiceChanged(
            tenant_id=entry.tenant_id,
            invoice_id=entry.invoice_id,
            realm_id=entry.realm_id,
            external_id=invoice.id,
            external_number=invoice.doc_number,
            changed_at=(invoice.meta_data.last_updated_time if invoice.meta_data else None)
            or datetime.now(UTC),
            source=source,
            sync_token=token,
            total=invoice.total_amt or _ZERO,
            balance=invoice.balance if invoice.balance is not None else invoice.total_amt or _ZERO,
            status=quickbooks_status(to_domain(invoice)),
        )
        completion = Completion.of(OutcomeKind.PUBLISHED, "changed")
        completion.inbound.append(_publish(entry, token, LedgerStatus.ACTIVE, event))
        return completion

    def _deleted(
        self, entry: LedgerEntry, source: ChangeSource, changed_at: datetime
    ) -> Completion:
        if entry.status == LedgerStatus.DELETED or entry.external_id is None:
            return Completion.of(OutcomeKind.IGNORED, "own_delete")
        event = QuickBooksInvoiceDeleted(
            tenant_id=entry.tenant_id,
            invoice_id=entry.invoice_id,
            realm_id=entry.realm_id,
            external_id=entry.external_id,
            external_number=entry.external_number,
            changed_at=changed_at,
            source=source,
        )
        completion = Completion.of(OutcomeKind.PUBLISHED, "deleted")
        completion.inbound.append(_publish(entry, "deleted", LedgerStatus.DELETED, event))
        return completion


def _publish(
    entry: LedgerEntry,
    token: str,
    status: LedgerStatus,
    event: QuickBooksInvoiceChanged | QuickBooksInvoiceDeleted,
) -> InboundPublish:
    message = event_message(
        Topic.QUICKBOOKS_INVOICE_CHANGES.value,
        invoice_key(entry.tenant_id, entry.invoice_id),
        event,
    )
    return InboundPublish(entry.tenant_id, entry.invoice_id, token, status, message)


def _next_cursor(changes: InvoiceChanges, now: datetime) -> datetime:
    """Where the next sweep starts: QuickBooks' time, or the newest change seen when the
    answer may have been cut off."""
    cursor = changes.server_time or now
    if changes.may_be_truncated and changes.changed:
        stamps = [
            i.meta_data.last_updated_time
            for i in changes.changed
            if i.meta_data and i.meta_data.last_updated_time
        ]
        cursor = max(stamps) if stamps else cursor
    return cursor
