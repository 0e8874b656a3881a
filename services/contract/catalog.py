"""Which events travel on which topic: drives parsing and the generated documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from services.contract.connection_status import QuickBooksConnectionStatusChanged
from services.contract.connections import (
    ConnectionEvent,
    QuickBooksConnectionRequested,
    QuickBooksDisconnectRequested,
)
from services.contract.invoices import (
    InvoiceCreated,
    InvoiceDeleted,
    InvoiceEvent,
    InvoiceUpdated,
    InvoiceVoided,
)
from services.contract.push import PushRequested
from services.contract.quickbooks_changes import (
    QuickBooksInvoiceChanged,
    QuickBooksInvoiceDeleted,
    QuickBooksInvoiceEvent,
)
from services.contract.results import (
    InvoiceSyncFailed,
    InvoiceSyncSkipped,
    InvoiceSyncSucceeded,
    SyncResult,
)
from services.contract.settings import ProductMappingChanged, SettingsChanged, SettingsEvent
from services.contract.topics import Topic
from services.contract.webhooks import QuickBooksWebhookReceived


@dataclass(frozen=True)
class TopicSpec:
    topic: Topic
    key: str
    producers: str
    consumers: str
    events: tuple[type[Any], ...]
    adapter: TypeAdapter[Any]
    internal: bool = False


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(
        Topic.INVOICES,
        "{tenant_id}:{invoice_id}",
        "MediaOS core",
        "sync worker",
        (InvoiceCreated, InvoiceUpdated, InvoiceVoided, InvoiceDeleted),
        TypeAdapter(InvoiceEvent),
    ),
    TopicSpec(
        Topic.SETTINGS,
        "{tenant_id}",
        "MediaOS core",
        "sync worker",
        (SettingsChanged, ProductMappingChanged),
        TypeAdapter(SettingsEvent),
    ),
    TopicSpec(
        Topic.PUSH_REQUESTS,
        "{tenant_id}",
        "gateway, MediaOS core",
        "sync worker, gateway",
        (PushRequested,),
        TypeAdapter(PushRequested),
    ),
    TopicSpec(
        Topic.RESULTS,
        "{tenant_id}:{invoice_id}",
        "sync worker",
        "gateway, ops dashboard, MediaOS core",
        (InvoiceSyncSucceeded, InvoiceSyncFailed, InvoiceSyncSkipped),
        TypeAdapter(SyncResult),
    ),
    TopicSpec(
        Topic.QUICKBOOKS_INVOICE_CHANGES,
        "{tenant_id}:{invoice_id}",
        "sync worker (two-way mode only)",
        "MediaOS core",
        (QuickBooksInvoiceChanged, QuickBooksInvoiceDeleted),
        TypeAdapter(QuickBooksInvoiceEvent),
    ),
    TopicSpec(
        Topic.QUICKBOOKS_WEBHOOKS,
        "{tenant_id}",
        "gateway",
        "sync worker",
        (QuickBooksWebhookReceived,),
        TypeAdapter(QuickBooksWebhookReceived),
        internal=True,
    ),
    TopicSpec(
        Topic.CONNECTIONS,
        "{tenant_id}",
        "gateway",
        "sync worker",
        (QuickBooksConnectionRequested, QuickBooksDisconnectRequested),
        TypeAdapter(ConnectionEvent),
        internal=True,
    ),
    TopicSpec(
        Topic.CONNECTION_STATUS,
        "{tenant_id}",
        "sync worker",
        "gateway",
        (QuickBooksConnectionStatusChanged,),
        TypeAdapter(QuickBooksConnectionStatusChanged),
        internal=True,
    ),
)

SPEC_BY_TOPIC: dict[str, TopicSpec] = {spec.topic.value: spec for spec in TOPICS}
