"""One valid wire document per event type, with every optional field present."""

from __future__ import annotations

import json
import uuid
from typing import Any

from pydantic import BaseModel

from services.contract.connection_status import ConnectionState, QuickBooksConnectionStatusChanged
from services.contract.connections import (
    QuickBooksConnectionRequested,
    QuickBooksDisconnectRequested,
)
from services.contract.errors import ErrorCode
from services.contract.invoices import InvoiceDeleted, InvoiceUpdated, InvoiceVoided
from services.contract.push import PushRequested
from services.contract.quickbooks_changes import (
    QuickBooksInvoiceChanged,
    QuickBooksInvoiceDeleted,
)
from services.contract.reconciliation import (
    CategoryTotals,
    FieldDifference,
    ReconciliationCategory,
    ReconciliationCompleted,
    ReconciliationFinding,
    ReconciliationPhase,
    ReconciliationProgressed,
    ReconciliationRequested,
)
from services.contract.results import (
    InvoiceSyncFailed,
    InvoiceSyncSkipped,
    InvoiceSyncSucceeded,
    SyncError,
)
from services.contract.settings import ProductMappingChanged, SettingsChanged
from services.contract.webhooks import ChangedEntity, QuickBooksWebhookReceived
from tests.support.factories import invoice_created, invoice_snapshot

T = "tenant-1"
CHANGED_AT = "2026-11-01T09:00:00Z"


def _result(model: type[Any], error: SyncError | None = None) -> BaseModel:
    return model(  # type: ignore[no-any-return]
        tenant_id=T,
        invoice_id="inv-1",
        invoice_version=3,
        batch_id=uuid.uuid4(),
        batch_size=2,
        trigger="push",
        operation="create",
        external_id="130",
        external_number="INV-1001",
        error=error,
    )


def _quickbooks(model: type[Any], **extra: Any) -> BaseModel:
    return model(  # type: ignore[no-any-return]
        tenant_id=T,
        invoice_id="inv-1",
        realm_id="9130",
        external_id="130",
        external_number="1001",
        changed_at=CHANGED_AT,
        source="webhook",
        **extra,
    )


def _events() -> list[BaseModel]:
    snapshot = invoice_snapshot()
    error = SyncError(code=ErrorCode.QBO_CONFLICT, message="changed", retryable=False)
    return [
        invoice_created(T),
        *(
            m(tenant_id=T, invoice=snapshot)
            for m in (InvoiceUpdated, InvoiceVoided, InvoiceDeleted)
        ),
        SettingsChanged(
            tenant_id=T, manual_push=True, invoice_number_prefix="MO-", conflict_policy="report"
        ),
        ProductMappingChanged(
            tenant_id=T, product_id="P-1", product_name="Banner", quickbooks_item_id="7"
        ),
        PushRequested(
            tenant_id=T, batch_id=uuid.uuid4(), invoice_ids=["a", "b"], requested_by="u-1"
        ),
        _result(InvoiceSyncSucceeded),
        _result(InvoiceSyncFailed, error),
        _result(InvoiceSyncSkipped),
        _quickbooks(
            QuickBooksInvoiceChanged, sync_token="2", total="10.00", balance="0", status="paid"
        ),
        _quickbooks(QuickBooksInvoiceDeleted),
        QuickBooksWebhookReceived(
            tenant_id=T,
            realm_id="9130",
            entities=[
                ChangedEntity(name="Invoice", id="130", operation="Update", last_updated=CHANGED_AT)
            ],
        ),
        QuickBooksConnectionRequested(
            tenant_id=T, realm_id="9130", refresh_token_encrypted="gAAAA", requested_by="admin"
        ),
        QuickBooksDisconnectRequested(tenant_id=T, requested_by="admin"),
        QuickBooksConnectionStatusChanged(
            tenant_id=T,
            status=ConnectionState.BROKEN,
            realm_id="9130",
            reason="invalid_grant",
            token_version=3,
            connected_at=CHANGED_AT,
        ),
        *_reconciliation_events(),
    ]


def _reconciliation_events() -> list[BaseModel]:
    run = uuid.uuid4()
    totals = CategoryTotals(count=1, mediaos_amount="10.00", quickbooks_amount="12.00")
    finding = ReconciliationFinding(
        category=ReconciliationCategory.DIFFERENT,
        invoice_id="inv-1",
        differences=[FieldDifference(field="total", mediaos="10.00", quickbooks="12.00")],
    )
    return [
        ReconciliationRequested(tenant_id=T, reconciliation_id=run, requested_by="admin"),
        ReconciliationProgressed(
            tenant_id=T,
            reconciliation_id=run,
            phase=ReconciliationPhase.COMPARING,
            invoices_checked=1,
            invoices_total=1,
            quickbooks_calls=1,
            chunk=1,
            findings=[finding],
        ),
        ReconciliationCompleted(
            tenant_id=T,
            reconciliation_id=run,
            state="completed",
            conflict_policy="report",
            invoices_total=1,
            categories={ReconciliationCategory.DIFFERENT: totals},
            totals=totals,
            quickbooks_calls=1,
            finding_chunks=1,
            started_at=CHANGED_AT,
        ),
    ]


def valid_documents() -> dict[str, dict[str, Any]]:
    """event_type -> the JSON document a producer would send."""
    out = {}
    for event in _events():
        document = json.loads(event.model_dump_json())
        out[document["event_type"]] = document
    return out
