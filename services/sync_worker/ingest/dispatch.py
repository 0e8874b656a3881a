"""Routes each contract event to the feature that owns it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from services.contract.errors import ErrorCode
from services.contract.invoices import InvoiceCreated, InvoiceDeleted, InvoiceUpdated, InvoiceVoided
from services.contract.push import PushRequested
from services.contract.results import Trigger
from services.contract.settings import ProductMappingChanged, SettingsChanged
from services.platform.outbox import OutboxMessage
from services.sync_worker.invoices.snapshots import store_if_newer
from services.sync_worker.results.builders import ResultSubject, failed, sync_error
from services.sync_worker.tenants import repository as tenants

_INVOICE_EVENTS = (InvoiceCreated, InvoiceUpdated, InvoiceVoided, InvoiceDeleted)


class WalkingSkeletonHandler:
    """Stores every event; invoice work is answered NOT_CONNECTED until QuickBooks is wired."""

    async def handle(
        self, conn: asyncpg.Connection, event: Any, *, now: datetime
    ) -> list[OutboxMessage]:
        if isinstance(event, _INVOICE_EVENTS):
            await store_if_newer(conn, event.tenant_id, event.event_type, event.invoice)
            subject = ResultSubject(
                event.tenant_id, event.invoice.invoice_id, event.invoice.version, Trigger.AUTO
            )
            return [failed(subject, sync_error(ErrorCode.NOT_CONNECTED), attempts=0)]
        if isinstance(event, PushRequested):
            return [
                failed(
                    ResultSubject(
                        event.tenant_id,
                        invoice_id,
                        None,
                        Trigger.PUSH,
                        event.batch_id,
                        len(event.invoice_ids),
                    ),
                    sync_error(ErrorCode.NOT_CONNECTED),
                    attempts=0,
                )
                for invoice_id in event.invoice_ids
            ]
        if isinstance(event, SettingsChanged):
            await tenants.apply_settings(conn, event)
        elif isinstance(event, ProductMappingChanged):
            await tenants.apply_product_mapping(conn, event)
        return []
