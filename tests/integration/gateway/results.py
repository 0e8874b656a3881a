"""Result events as the worker publishes them, for tests that play the worker's part."""

from __future__ import annotations

import uuid
from typing import Any

from services.contract.errors import ErrorCode
from services.contract.results import (
    InvoiceSyncFailed,
    InvoiceSyncSkipped,
    InvoiceSyncSucceeded,
    Operation,
    SyncError,
    SyncResult,
    Trigger,
)
from services.contract.topics import Topic, invoice_key
from tests.support.kafka import produce_many


def result(
    tenant_id: str,
    batch_id: uuid.UUID | str,
    invoice_id: str,
    status: str = "succeeded",
    *,
    batch_size: int,
    code: ErrorCode = ErrorCode.PRODUCT_NOT_MAPPED,
) -> SyncResult:
    common: dict[str, Any] = {
        "tenant_id": tenant_id,
        "invoice_id": invoice_id,
        "invoice_version": 1,
        "batch_id": uuid.UUID(str(batch_id)),
        "batch_size": batch_size,
        "trigger": Trigger.PUSH,
    }
    if status == "succeeded":
        return InvoiceSyncSucceeded(
            **common,
            operation=Operation.CREATE,
            external_id=f"qb-{invoice_id}",
            external_number=f"EXT-{invoice_id}",
        )
    error = SyncError(code=code, message=f"{code.value} for {invoice_id}", retryable=False)
    if status == "failed":
        return InvoiceSyncFailed(**common, operation=Operation.NONE, error=error)
    return InvoiceSyncSkipped(
        **common,
        operation=Operation.NONE,
        error=SyncError(code=ErrorCode.SUPERSEDED, message="superseded", retryable=False),
    )


async def publish_results(bootstrap: str, events: list[SyncResult]) -> None:
    await produce_many(
        bootstrap,
        Topic.RESULTS.value,
        [(invoice_key(e.tenant_id, e.invoice_id), e) for e in events],
    )
