"""QuickBooks -> MediaOS: changes made in QuickBooks, from webhooks and CDC sweeps.

A change is published on `quickbooks.invoice-changes.v1` only if it is not one the worker
made itself (its SyncToken is the one our last write produced) and was not published before
(webhook and CDC can both report it): no echo, no ping-pong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import structlog

from services.contract.errors import ErrorCode
from services.contract.quickbooks_changes import QuickBooksInvoiceChanged, QuickBooksInvoiceDeleted
from services.contract.topics import Topic, invoice_key
from services.platform.outbox import enqueue, event_message
from services.sync_worker.quickbooks import (
    Invoice,
    QuickBooksClient,
    QuickBooksError,
    QuickBooksService,
)
from services.sync_worker.sync import ledger
from services.sync_worker.sync.completion import Completion
from services.sync_worker.sync.domain.echo import is_new_external_change
from services.sync_worker.sync.domain.status import quickbooks_status
from services.sync_worker.sync.ledger import LedgerEntry
from services.sync_worker.sync.work_items import WorkItem
from services.sync_worker.tenants import repository as tenants

log = structlog.get_logger(__name__)
_CDC_OVERLAP = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class InboundPolicy:
    cdc_initial_lookback_seconds: float = 3600.0


class Inbound:
    def __init__(
        self, pool: asyncpg.Pool, quickbooks: QuickBooksService, policy: InboundPolicy
    ) -> None:
        self._pool = pool
        self._qbo = quickbooks
        self._policy = policy

    async def _two_way_client(self, tenant_id: str) -> QuickBooksClient | None:
        async with self._pool.acquire() as conn:
            settings = await tenants.get_settings(conn, tenant_id)
        if settings.manual_push:
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
            return Completion(outcome="ignored:not_two_way")
        external_id = str(item.payload["external_id"])
        if item.payload.get("realm_id") not in (None, client.realm_id):
            return Completion(outcome="ignored:other_realm")
        async with self._pool.acquire() as conn:
            entry = await ledger.by_external_id(conn, item.tenant_id, client.realm_id, external_id)
        if entry is None:
            return Completion(outcome="ignored:not_synced_by_us")
        async with self._pool.acquire() as conn:
            if await ledger.outbound_in_flight(conn, entry.tenant_id, entry.invoice_id):
                return Completion.retry(2.0, "outbound_in_flight", counts_as_attempt=False)
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
            return Completion(outcome="ignored:not_two_way")
        async with self._pool.acquire() as conn:
            cursor = await conn.fetchval(
                "SELECT cdc_cursor FROM tenant_sync_state WHERE tenant_id = $1", item.tenant_id
            )
        now = datetime.now(UTC)
        since = (
            (cursor - _CDC_OVERLAP)
            if cursor
            else now - timedelta(seconds=self._policy.cdc_initial_lookback_seconds)
        )
        since = max(since, now - timedelta(days=29))
        changes = await client.invoice_changes_since(since)
        completion = Completion(outcome="cdc")
        async with self._pool.acquire() as conn:
            for invoice in changes.changed:
                if invoice.id is None:
                    continue
                entry = await ledger.by_external_id(
                    conn, item.tenant_id, client.realm_id, invoice.id
                )
                if entry is None:
                    continue
                if await ledger.outbound_in_flight(conn, entry.tenant_id, entry.invoice_id):
                    # Sweep again shortly, from the same cursor, once our write is recorded.
                    return Completion.retry(2.0, "outbound_in_flight", counts_as_attempt=False)
                self._merge(completion, self._changed(entry, invoice, "cdc"))
            for stub in changes.deleted:
                entry = await ledger.by_external_id(conn, item.tenant_id, client.realm_id, stub.id)
                if entry is not None:
                    changed_at = (
                        stub.meta_data.last_updated_time if stub.meta_data else None
                    ) or now
                    self._merge(completion, self._deleted(entry, "cdc", changed_at))
        new_cursor = changes.server_time or now
        if changes.may_be_truncated and changes.changed:
            stamps = [
                i.meta_data.last_updated_time
                for i in changes.changed
                if i.meta_data and i.meta_data.last_updated_time
            ]
            new_cursor = max(stamps) if stamps else new_cursor

        async def save_cursor(conn: asyncpg.Connection) -> None:
            await conn.execute(
                "INSERT INTO tenant_sync_state (tenant_id, cdc_cursor, last_cdc_at) "
                "VALUES ($1, $2, now()) ON CONFLICT (tenant_id) DO UPDATE SET "
                "cdc_cursor = EXCLUDED.cdc_cursor, last_cdc_at = now()",
                item.tenant_id,
                new_cursor,
            )

        completion.ledger_writes.append(save_cursor)
        return completion

    @staticmethod
    def _merge(into: Completion, other: Completion) -> None:
        into.messages.extend(other.messages)
        into.ledger_writes.extend(other.ledger_writes)

    def _changed(self, entry: LedgerEntry, invoice: Invoice, source: str) -> Completion:
        token = invoice.sync_token or ""
        if not is_new_external_change(
            token, our_last_write=entry.sync_token, last_reported=entry.last_inbound_token
        ):
            return Completion(outcome="ignored:own_or_known_change")
        assert invoice.id is not None
        event = QuickBooksInvoiceChanged(
            tenant_id=entry.tenant_id,
            invoice_id=entry.invoice_id,
            realm_id=entry.realm_id,
            external_id=invoice.id,
            external_number=invoice.doc_number,
            changed_at=(invoice.meta_data.last_updated_time if invoice.meta_data else None)
            or datetime.now(UTC),
            source="webhook" if source == "webhook" else "cdc",
            sync_token=token,
            total=invoice.total_amt or 0,
            balance=invoice.balance if invoice.balance is not None else invoice.total_amt or 0,
            status=quickbooks_status(invoice),
        )

        message = event_message(
            Topic.QUICKBOOKS_INVOICE_CHANGES.value,
            invoice_key(entry.tenant_id, entry.invoice_id),
            event,
        )

        async def publish_once(conn: asyncpg.Connection) -> None:
            if await ledger.record_inbound_if_new(
                conn, entry.tenant_id, entry.invoice_id, token, "active"
            ):
                await enqueue(conn, [message])
                log.info("quickbooks_change_published", tenant_id=entry.tenant_id, source=source)

        return Completion(outcome="published:changed", ledger_writes=[publish_once])

    def _deleted(self, entry: LedgerEntry, source: str, changed_at: datetime) -> Completion:
        if entry.status == "deleted" or entry.external_id is None:
            return Completion(outcome="ignored:own_delete")
        event = QuickBooksInvoiceDeleted(
            tenant_id=entry.tenant_id,
            invoice_id=entry.invoice_id,
            realm_id=entry.realm_id,
            external_id=entry.external_id,
            external_number=entry.external_number,
            changed_at=changed_at,
            source="webhook" if source == "webhook" else "cdc",
        )

        message = event_message(
            Topic.QUICKBOOKS_INVOICE_CHANGES.value,
            invoice_key(entry.tenant_id, entry.invoice_id),
            event,
        )

        async def publish_once(conn: asyncpg.Connection) -> None:
            if await ledger.record_inbound_if_new(
                conn, entry.tenant_id, entry.invoice_id, "deleted", "deleted"
            ):
                await enqueue(conn, [message])

        return Completion(outcome="published:deleted", ledger_writes=[publish_once])
