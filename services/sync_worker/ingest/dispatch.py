"""Routes each consumed contract event to the feature that owns it (inside the ingest
transaction, so the effect and the event's dedup record commit together)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import datetime

import asyncpg

from services.contract.catalog import ContractEvent
from services.contract.connections import (
    QuickBooksConnectionRequested,
    QuickBooksDisconnectRequested,
)
from services.contract.invoices import InvoiceCreated, InvoiceDeleted, InvoiceUpdated, InvoiceVoided
from services.contract.push import PushRequested
from services.contract.reconciliation import ReconciliationRequested
from services.contract.settings import ProductMappingChanged, SettingsChanged
from services.contract.webhooks import QuickBooksWebhookReceived
from services.platform.outbox import OutboxMessage
from services.sync_worker.ingest.invoice_run import InvoiceEvent, apply_invoice_run
from services.sync_worker.reconciliation.ingest import queue_requested
from services.sync_worker.sync import work_items
from services.sync_worker.tenants import repository as tenants
from services.sync_worker.tenants.model import TenantSettings

_INVOICE_EVENTS = (InvoiceCreated, InvoiceUpdated, InvoiceVoided, InvoiceDeleted)

ConnectTenant = Callable[
    [asyncpg.Connection, QuickBooksConnectionRequested | QuickBooksDisconnectRequested],
    Awaitable[None],
]


class SyncEventHandler:
    """One instance per consumed batch: tenant settings are read once per batch.

    Consecutive invoice events are applied together (`invoice_run`); every other event is
    applied on its own, in order, so a settings change in the batch applies to the invoice
    events after it, as when events are applied one at a time."""

    def __init__(self, connect_tenant: ConnectTenant) -> None:
        self._connect_tenant = connect_tenant
        self._settings: dict[str, TenantSettings] = {}

    async def handle_batch(
        self, conn: asyncpg.Connection, events: Sequence[ContractEvent], *, now: datetime
    ) -> list[OutboxMessage]:
        messages: list[OutboxMessage] = []
        run: list[InvoiceEvent] = []
        for event in events:
            if isinstance(event, _INVOICE_EVENTS):
                run.append(event)
                continue
            if run:
                messages.extend(await apply_invoice_run(conn, run, self._settings_of))
                run = []
            await self.handle(conn, event)
        if run:
            messages.extend(await apply_invoice_run(conn, run, self._settings_of))
        return messages

    async def _settings_of(
        self, conn: asyncpg.Connection, tenant_ids: Collection[str]
    ) -> dict[str, TenantSettings]:
        missing = [t for t in tenant_ids if t not in self._settings]
        self._settings.update(await tenants.get_settings_many(conn, missing))
        return {t: self._settings[t] for t in tenant_ids}

    async def handle(self, conn: asyncpg.Connection, event: ContractEvent) -> None:
        """Applies one event that is not an invoice event."""
        if isinstance(event, PushRequested):
            await work_items.queue_push(conn, event.tenant_id, event.batch_id, event.invoice_ids)
        elif isinstance(event, SettingsChanged):
            await tenants.apply_settings(conn, event)
            self._settings.pop(event.tenant_id, None)
        elif isinstance(event, ProductMappingChanged):
            await tenants.apply_product_mapping(conn, event)
        elif isinstance(event, QuickBooksWebhookReceived):
            settings = await self._settings_of(conn, [event.tenant_id])
            if settings[event.tenant_id].manual_push:
                return  # One-Way Push: nothing flows back, so no unit (it would be ignored)
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
