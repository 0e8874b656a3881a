"""Result events that look like a real accountant's batch (numbers, customers, amounts),
with failure messages made by the worker's own code, for the progress window test."""

from __future__ import annotations

from decimal import Decimal

from services.contract.errors import ErrorCode
from services.contract.results import SyncResult
from services.sync_worker.results.builders import sync_error
from services.sync_worker.sync.domain.failures import SyncFailure
from services.sync_worker.sync.domain.translate import require_mapped
from tests.integration.gateway.results import result
from tests.support.factories import invoice_snapshot

CUSTOMERS = ("Harbor Lights Radio", "Northwind Outdoor", "Bluebird Cafe", "Metro Auto Group")
PRODUCT = ("P-PODCAST", "Podcast pre-roll, 30 s")


def invoice_number(index: int) -> str:
    return f"10{450 + index}"


def unmapped_product_error(invoice_id: str) -> tuple[ErrorCode, str, dict[str, object]]:
    """What the worker says when the invoice's product has no QuickBooks item."""
    snapshot = invoice_snapshot(invoice_id, products=(PRODUCT[0],))
    try:
        require_mapped(snapshot, {}, {PRODUCT[0]: PRODUCT[1]})
    except SyncFailure as failure:
        error = sync_error(failure.code, failure.message, failure.details)
        return error.code, error.message, error.details
    raise AssertionError("an unmapped product must fail")


def batch_results(
    tenant: str, batch_id: str, ids: list[str], failing: set[str]
) -> list[SyncResult]:
    events: list[SyncResult] = []
    for index, invoice_id in enumerate(ids):
        status = "failed" if invoice_id in failing else "succeeded"
        event = result(tenant, batch_id, invoice_id, status, batch_size=len(ids))
        update: dict[str, object] = {
            "number": invoice_number(index),
            "customer_name": CUSTOMERS[index % len(CUSTOMERS)],
            "amount": Decimal("1250.00") + index * Decimal("37.50"),
            "currency": "USD",
        }
        if event.error is not None:
            code, message, details = unmapped_product_error(invoice_id)
            update["error"] = event.error.model_copy(
                update={"code": code, "message": message, "details": details}
            )
        events.append(event.model_copy(update=update))
    return events
