"""Routes each consumed contract event to the feature that owns it (inside the ingest
transaction, so the effect and the event's dedup record commit together)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from services.contract.catalog import ContractEvent
from services.contract.connections import (
    QuickBooksConnectionRequested,
    QuickBooksDisconnectRequested,
)
from services.contract.errors import ErrorCode
from services.contract.invoices import InvoiceCreated, InvoiceDeleted, InvoiceUpdated, InvoiceVoided
from services.contract.push import PushRequested
from services.contract.reconciliation import ReconciliationRequested
from services.contract.results import Trigger
from services.contract.settings import ProductMappingChanged, SettingsChanged
from services.contract.webhooks import QuickBooksWebhookReceived
from services.platform.outbox import OutboxMessage
from services.sync_worker.invoices.snapshots import store_if_newer
from services.sync_worker.reconciliation.ingest import queue_requested
from services.sync_worker.results.builders import ResultSubject, display_of, skipped, sync_error
from services.sync_worker.sync import work_items
from services.sync_worker.tenants import repository as tenants
from services.sync_worker.tenants.model import TenantSettings

_INVOICE_EVENTS = (InvoiceCreated, InvoiceUpdated, InvoiceVoided, InvoiceDeleted)

ConnectTenant = Callable[
    [asyncpg.Connection, QuickBooksConnectionRequested | QuickBooksDisconnectRequested],
    Awaitable[None],
]


class SyncEventHandler:
    """One instance per consumed batch: tenant settings are read once per batch."""

    def __init__(self, connect_tenant: ConnectTenant) -> None:
        self._connect_tenant = connect_tenant
        self._settings: dict[str, TenantSettings] = {}

    async def handle_batch(
        self, conn: asyncpg.Connection, events: Sequence[ContractEvent], *, now: datetime
    ) -> list[OutboxMessage]:
        messages: list[OutboxMessage] = []
        for event in events:
            messages.extend(await self.handle(conn, event))
        return messages

    async def _tenant_settings(self, conn: asyncpg.Connection, tenant_id: str) -> TenantSettings:
        if tenant_id not in self._settings:
            self._settings[tenant_id] = await tenants.get_settings(conn, tenant_id)
        return self._settings[tenant_id]

    async def handle(self, conn: asyncpg.Connection, event: ContractEvent) -> list[OutboxMessage]:
        if isinstance(event, _INVOICE_EVENTS):
            return await self._invoice(conn, event)
        if isinstance(event, PushRequested):
            await work_items.queue_push(conn, event.tenant_id, event.batch_id, event.invoice_ids)
        elif isinstance(event, SettingsChanged):
            await tenants.apply_settings(conn, event)
            self._settings.pop(event.tenant_id, None)
        elif isinstance(event, ProductMappingChanged):
            await tenants.apply_product_mapping(conn, event)
        elif isinstance(event, QuickBooksWebhookReceived):
            for entity in event.entities:
                if entity.name.lower() == "invoice":
                    await work_items.queue_inbound(
                        conn,
                        event.tenant_id,
                        {
                            "realm_id": event.realm_id,
                            "external_id": entity.id,
                            "operation": entity.operation,
                        },
                    )
        elif isinstance(event, QuickBooksConnectionRequested | QuickBooksDisconnectRequested):
            await self._connect_tenant(conn, event)
        elif isinstance(event, ReconciliationRequested):
            await queue_requested(conn, event)
        return []

    async def _invoice(self, conn: asyncpg.Connection, event: Any) -> list[OutboxMessage]:
        invoice = event.invoice
        subject = ResultSubject(
            event.tenant_id,
            invoice.invoice_id,
            invoice.version,
            Trigger.AUTO,
            display=display_of(invoice),
        )
        held = await store_if_newer(conn, event.tenant_id, event.event_type, invoice)
        if held is not None:
            return [
                skipped(
                    subject,
                    sync_error(
                        ErrorCode.SUPERSEDED,
                        f"Version {invoice.version} arrived after version {held}.",
                    ),
                )
            ]
        settings = await self._tenant_settings(conn, event.tenant_id)
        if settings.manual_push:
            return [skipped(subject, sync_error(ErrorCode.MANUAL_PUSH_MODE))]
        superseded = await work_items.queue_auto(
            conn, event.tenant_id, invoice.invoice_id, invoice.version
        )
        return [
            skipped(
                ResultSubject(
                    event.tenant_id,
                    invoice.invoice_id,
                    older.invoice_version,
                    Trigger.AUTO,
                    display=display_of(invoice),
                ),
                sync_error(
                    ErrorCode.SUPERSEDED,
                    f"Version {older.invoice_version} was replaced by version {invoice.version} "
                    "before it was sent.",
                ),
            )
            for older in superseded
        ]
