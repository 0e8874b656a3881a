"""Files every invoice of a tenant into exactly one reconciliation category."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from services.contract.reconciliation import ReconciliationCategory as Category
from services.contract.reconciliation import ReconciliationFinding as Finding

from .fields import differences, effective_total, expected_doc_number
from .model import LedgerRow, MediaosInvoice, QuickBooksInvoice, TenantView
from .sendable import why_not_sendable


class _QuickBooksIndex:
    """QuickBooks invoices by Id and by marker; each can be claimed by one MediaOS invoice."""

    def __init__(self, invoices: Iterable[QuickBooksInvoice]) -> None:
        self.by_id = {q.id: q for q in invoices}
        self.by_marker: dict[str, QuickBooksInvoice] = {}
        for q in self.by_id.values():
            marked = q.marked_invoice_id()
            if marked is not None:
                self.by_marker.setdefault(marked, q)
        self.claimed: set[str] = set()

    def claim(self, invoice_id: str, entry: LedgerRow | None) -> QuickBooksInvoice | None:
        found = None
        if entry is not None and entry.external_id and entry.status != "deleted":
            found = self.by_id.get(entry.external_id)
        if found is None:
            # A create whose result was never recorded still carries our marker.
            found = self.by_marker.get(invoice_id)
        if found is None or found.id in self.claimed:
            return None
        self.claimed.add(found.id)
        return found

    def unclaimed(self) -> list[QuickBooksInvoice]:
        return [q for q in self.by_id.values() if q.id not in self.claimed]


def categorise(
    invoices: Iterable[MediaosInvoice],
    ledger: Mapping[str, LedgerRow],
    quickbooks: Iterable[QuickBooksInvoice],
    tenant: TenantView,
) -> list[Finding]:
    """One finding per MediaOS invoice (an invoice deleted in MediaOS and absent from
    QuickBooks has nothing to compare and is left out) plus one per QuickBooks invoice that
    carries our marker or prefix but matches no MediaOS invoice."""
    index = _QuickBooksIndex(quickbooks if tenant.connected else ())
    findings: list[Finding] = []
    for mediaos in invoices:
        entry = ledger.get(mediaos.snapshot.invoice_id)
        qbo = index.claim(mediaos.snapshot.invoice_id, entry)
        finding = _one(mediaos, entry, qbo, tenant)
        if finding is not None:
            findings.append(finding)
    findings.extend(_only_in_quickbooks(q, None, "not_in_mediaos") for q in index.unclaimed())
    return findings


def _one(
    mediaos: MediaosInvoice,
    entry: LedgerRow | None,
    qbo: QuickBooksInvoice | None,
    tenant: TenantView,
) -> Finding | None:
    inv = mediaos.snapshot
    if qbo is not None:
        if mediaos.deleted:
            return _only_in_quickbooks(qbo, mediaos, "deleted_in_mediaos")
        diffs = differences(mediaos, qbo, tenant)
        edited = (
            None
            if entry is None or entry.sync_token is None
            else qbo.sync_token != entry.sync_token
        )
        return Finding(
            category=Category.DIFFERENT if diffs else Category.IN_SYNC,
            invoice_id=inv.invoice_id,
            number=inv.number,
            external_id=qbo.id,
            external_number=qbo.doc_number,
            mediaos_total=effective_total(mediaos),
            quickbooks_total=qbo.total,
            differences=diffs,
            edited_in_quickbooks=edited,
        )
    if mediaos.deleted:
        return None
    base = {
        "invoice_id": inv.invoice_id,
        "number": inv.number,
        "external_number": None,
        "mediaos_total": effective_total(mediaos),
        "quickbooks_total": Decimal("0"),
    }
    if mediaos.voided:
        return Finding(category=Category.IN_SYNC, reason="voided_in_mediaos_never_sent", **base)
    blocked = why_not_sendable(mediaos, tenant)
    if blocked is not None:
        return Finding(
            category=Category.NOT_SENDABLE,
            reason=blocked.code.value,
            detail=blocked.message,
            **base,
        )
    was_sent = entry is not None and (entry.external_id is not None or entry.status == "deleted")
    return Finding(
        category=Category.MISSING_IN_QUICKBOOKS,
        reason="deleted_in_quickbooks" if was_sent else "never_sent",
        detail=f"QuickBooks has no invoice {expected_doc_number(inv, tenant.number_prefix)}.",
        **base,
    )


def _only_in_quickbooks(
    qbo: QuickBooksInvoice, mediaos: MediaosInvoice | None, reason: str
) -> Finding:
    return Finding(
        category=Category.ONLY_IN_QUICKBOOKS,
        invoice_id=mediaos.snapshot.invoice_id if mediaos else qbo.marked_invoice_id(),
        number=mediaos.snapshot.number if mediaos else None,
        external_id=qbo.id,
        external_number=qbo.doc_number,
        mediaos_total=Decimal("0"),
        quickbooks_total=qbo.total,
        reason=reason,
    )
