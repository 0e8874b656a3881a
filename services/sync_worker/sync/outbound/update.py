"""Updating an invoice we mirror, unless QuickBooks changed it and the policy says no."""

from __future__ import annotations

from services.contract.errors import ErrorCode
from services.contract.results import Operation
from services.sync_worker.quickbooks import Invoice
from services.sync_worker.quickbooks.invoice_mapping import to_domain
from services.sync_worker.sync import completions
from services.sync_worker.sync.completion import Completion
from services.sync_worker.sync.domain.fingerprint import differences, fingerprint
from services.sync_worker.sync.domain.plan import ConflictOutcome, UpsertStep, decide_update
from services.sync_worker.sync.domain.quickbooks_invoice import QuickBooksInvoice
from services.sync_worker.sync.ledger import LedgerEntry
from services.sync_worker.sync.outbound.unit import Unit, overwrite, written


async def update_or_conflict(
    unit: Unit,
    entry: LedgerEntry,
    existing: Invoice,
    desired: QuickBooksInvoice,
    generation: int,
) -> Completion:
    decision = decide_update(
        last_synced_token=entry.sync_token,
        last_synced=entry.fingerprint,
        current_token=existing.sync_token,
        current=fingerprint(to_domain(existing)),
        desired=fingerprint(desired),
        policy=unit.ctx.settings.conflict_policy,
        explicit_push=unit.push,
    )
    if decision.step is UpsertStep.CONFLICT:
        assert decision.conflict is not None
        return conflict(unit, entry, existing, desired, decision.conflict)
    result = existing
    if decision.step is UpsertStep.UPDATE:
        result = await overwrite(unit, desired, existing, "update")
    return written(unit, result, Operation.UPDATE, generation)


def conflict(
    unit: Unit,
    entry: LedgerEntry,
    existing: Invoice,
    desired: QuickBooksInvoice | None,
    outcome: ConflictOutcome,
) -> Completion:
    """QuickBooks changed a tracked field since our last write: report it, or keep it."""
    wanted = fingerprint(desired) if desired is not None else {}
    diff = differences(entry.fingerprint or {}, fingerprint(to_domain(existing)), wanted)
    details = {
        "external_id": existing.id,
        "quickbooks_sync_token": existing.sync_token,
        "last_synced_sync_token": entry.sync_token,
        "differences": diff,
    }
    fields = ", ".join(d["field"] for d in diff) or "no tracked field"
    if outcome is ConflictOutcome.KEEP_QUICKBOOKS:
        return completions.skip(
            unit.subject,
            ErrorCode.QBO_CONFLICT,
            f"Changed in QuickBooks ({fields}); the conflict policy keeps the QuickBooks version.",
            details,
            detail="conflict",
            attempts=unit.item.attempts,
        )
    return completions.failure(
        unit.item,
        unit.subject,
        ErrorCode.QBO_CONFLICT,
        f"The invoice was changed in QuickBooks since the last sync ({fields}); "
        "it was not overwritten.",
        details,
    )
