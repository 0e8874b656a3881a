"""Builds the `Completion` of an outbound unit (and of any unit that crashed): one result
event each, plus the ledger writes that go with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.contract.errors import ErrorCode
from services.contract.invoices import InvoiceSnapshot
from services.contract.results import Operation, Trigger
from services.sync_worker.quickbooks import Invoice
from services.sync_worker.quickbooks.invoice_mapping import to_domain
from services.sync_worker.results.builders import (
    ResultSubject,
    display_of,
    failed,
    skipped,
    succeeded,
    sync_error,
)
from services.sync_worker.sync.completion import (
    Completion,
    LedgerForget,
    LedgerRecord,
    LedgerStatus,
    LedgerWrite,
    OutcomeKind,
    UnitKind,
)
from services.sync_worker.sync.domain.fingerprint import fingerprint
from services.sync_worker.sync.work_items import WorkItem


def subject_of(item: WorkItem, snapshot: InvoiceSnapshot | None = None) -> ResultSubject:
    """Which invoice version a result is about: a push reports the version it sent.

    The snapshot also names the invoice (number, customer, amount) for people reading results.
    """
    assert item.invoice_id is not None
    version = item.invoice_version
    if (item.kind is UnitKind.PUSH or version is None) and snapshot is not None:
        version = snapshot.version
    return ResultSubject(
        tenant_id=item.tenant_id,
        invoice_id=item.invoice_id,
        invoice_version=version,
        trigger=Trigger.PUSH if item.kind is UnitKind.PUSH else Trigger.AUTO,
        batch_id=item.batch_id,
        batch_size=item.batch_size,
        display=display_of(snapshot),
    )


def failure(
    item: WorkItem,
    subject: ResultSubject,
    code: ErrorCode,
    message: str,
    details: Mapping[str, Any] | None = None,
    *,
    ledger: list[LedgerWrite] | None = None,
) -> Completion:
    completion = Completion.of(OutcomeKind.FAILED, code.value)
    completion.results.append(
        failed(subject, sync_error(code, message, dict(details or {})), attempts=item.attempts)
    )
    completion.ledger.extend(ledger or [])
    return completion


def skip(
    subject: ResultSubject,
    code: ErrorCode,
    message: str | None = None,
    details: Mapping[str, Any] | None = None,
    *,
    detail: str | None = None,
    attempts: int = 0,
) -> Completion:
    completion = Completion.of(OutcomeKind.SKIPPED, detail or code.value)
    completion.results.append(
        skipped(subject, sync_error(code, message, dict(details or {})), attempts=attempts)
    )
    return completion


def success(
    item: WorkItem,
    subject: ResultSubject,
    operation: Operation,
    external_id: str,
    external_number: str | None,
) -> Completion:
    completion = Completion.of(OutcomeKind.SUCCEEDED, operation.value)
    completion.results.append(
        succeeded(
            subject,
            operation,
            external_id=external_id,
            external_number=external_number,
            attempts=item.attempts,
        )
    )
    return completion


def ledger_record(
    item: WorkItem,
    realm_id: str,
    written: Invoice,
    *,
    version: int | None,
    generation: int,
    status: LedgerStatus,
) -> LedgerRecord:
    assert item.invoice_id is not None
    assert written.id is not None and written.sync_token is not None
    return LedgerRecord(
        tenant_id=item.tenant_id,
        invoice_id=item.invoice_id,
        realm_id=realm_id,
        generation=generation,
        external_id=written.id,
        external_number=written.doc_number,
        sync_token=written.sync_token,
        synced_version=version,
        status=status,
        fingerprint=fingerprint(to_domain(written)),
    )


def written(
    item: WorkItem,
    subject: ResultSubject,
    realm_id: str,
    invoice: Invoice,
    operation: Operation,
    *,
    version: int,
    generation: int,
) -> Completion:
    """An invoice created or updated in QuickBooks: the result and the ledger entry."""
    assert invoice.id is not None
    completion = success(item, subject, operation, invoice.id, invoice.doc_number)
    completion.ledger.append(
        ledger_record(
            item,
            realm_id,
            invoice,
            version=version,
            generation=generation,
            status=LedgerStatus.ACTIVE,
        )
    )
    return completion


def deleted(
    item: WorkItem,
    subject: ResultSubject,
    external_id: str,
    external_number: str | None,
    generation: int,
) -> Completion:
    """Gone from QuickBooks (deleted by us or already); a later push starts a new generation."""
    assert item.invoice_id is not None
    completion = success(item, subject, Operation.DELETE, external_id, external_number)
    completion.ledger.append(LedgerForget(item.tenant_id, item.invoice_id, generation + 1))
    return completion


def internal_error(item: WorkItem, exc: Exception) -> Completion:
    """A unit that crashed on its last attempt: a failed result when it concerns an invoice."""
    if item.invoice_id is None:
        return Completion.of(OutcomeKind.FAILED, type(exc).__name__)
    return failure(item, subject_of(item), ErrorCode.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")
