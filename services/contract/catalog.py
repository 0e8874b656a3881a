"""Which events travel on which topic: drives parsing and the generated documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, TypeAdapter

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
from services.contract.reconciliation import (
    ReconciliationCompleted,
    ReconciliationEvent,
    ReconciliationProgressed,
    ReconciliationRequested,
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


def _require_event_type(data: Any) -> Any:
    # On the wire `event_type` is required (the schemas say so); only Python code that
    # builds an event may rely on the model's default.
    if isinstance(data, dict) and "event_type" not in data:
        raise ValueError("event_type: Field required")
    return data


def _wire(event: Any) -> TypeAdapter[Any]:
    return TypeAdapter(Annotated[event, BeforeValidator(_require_event_type)])


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
        _wire(InvoiceEvent),
    ),
    TopicSpec(
        Topic.SETTINGS,
        "{tenant_id}",
        "MediaOS core",
        "sync worker",
        (SettingsChanged, ProductMappingChanged),
        _wire(SettingsEvent),
    ),
    TopicSpec(
        Topic.PUSH_REQUESTS,
        "{tenant_id}",
        "gateway, MediaOS core",
        "sync worker, gateway",
        (PushRequested,),
        _wire(PushRequested),
    ),
    TopicSpec(
        Topic.RESULTS,
        "{tenant_id}:{invoice_id}",
        "sync worker",
        "gateway, ops dashboard, MediaOS core",
        (InvoiceSyncSucceeded, InvoiceSyncFailed, InvoiceSyncSkipped),
        _wire(SyncResult),
    ),
    TopicSpec(
        Topic.QUICKBOOKS_INVOICE_CHANGES,
        "{tenant_id}:{invoice_id}",
        "sync worker (two-way mode only)",
        "MediaOS core",
        (QuickBooksInvoiceChanged, QuickBooksInvoiceDeleted),
        _wire(QuickBooksInvoiceEvent),
    ),
    TopicSpec(
        Topic.QUICKBOOKS_WEBHOOKS,
        "{tenant_id}",
        "gateway",
        "sync worker",
        (QuickBooksWebhookReceived,),
        _wire(QuickBooksWebhookReceived),
        internal=True,
    ),
    TopicSpec(
        Topic.CONNECTIONS,
        "{tenant_id}",
        "gateway",
        "sync worker",
        (QuickBooksConnectionRequested, QuickBooksDisconnectRequested),
        _wire(ConnectionEvent),
        internal=True,
    ),
    TopicSpec(
        Topic.CONNECTION_STATUS,
        "{tenant_id}",
        "sync worker",
        "gateway",
        (QuickBooksConnectionStatusChanged,),
        _wire(QuickBooksConnectionStatusChanged),
        internal=True,
    ),
    TopicSpec(
        Topic.RECONCILIATION_REQUESTS,
        "{tenant_id}",
        "gateway",
        "sync worker",
        (ReconciliationRequested,),
        _wire(ReconciliationRequested),
        internal=True,
    ),
    TopicSpec(
        Topic.RECONCILIATIONS,
        "{tenant_id}",
        "sync worker",
        "gateway, MediaOS core",
        (ReconciliationProgressed, ReconciliationCompleted),
        _wire(ReconciliationEvent),
    ),
)

ContractEvent = (
    InvoiceCreated
    | InvoiceUpdated
    | InvoiceVoided
    | InvoiceDeleted
    | SettingsChanged
    | ProductMappingChanged
    | PushRequested
    | InvoiceSyncSucceeded
    | InvoiceSyncFailed
    | InvoiceSyncSkipped
    | QuickBooksInvoiceChanged
    | QuickBooksInvoiceDeleted
    | QuickBooksWebhookReceived
    | QuickBooksConnectionRequested
    | QuickBooksDisconnectRequested
    | QuickBooksConnectionStatusChanged
    | ReconciliationRequested
    | ReconciliationProgressed
    | ReconciliationCompleted
)
"""Every event of contract v1: what `parse_event` returns (handlers narrow it by type)."""

SPEC_BY_TOPIC: dict[str, TopicSpec] = {spec.topic.value: spec for spec in TOPICS}
