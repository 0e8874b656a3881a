"""Voiding or deleting the QuickBooks invoice when MediaOS voided or deleted its invoice."""

from __future__ import annotations

from services.contract.errors import ErrorCode
from services.contract.results import Operation
from services.sync_worker.quickbooks.invoice_mapping import to_domain
from services.sync_worker.sync import completions
from services.sync_worker.sync.completion import Completion, LedgerStatus
from services.sync_worker.sync.domain import request_ids
from services.sync_worker.sync.domain.fingerprint import fingerprint
from services.sync_worker.sync.domain.plan import UpsertStep, decide_update
from services.sync_worker.sync.outbound.unit import Unit, current_invoice
from services.sync_worker.sync.outbound.update import conflict


async def remove(unit: Unit, operation: Operation) -> Completion:
    entry = unit.ctx.ledger
    if entry is None or not entry.external_id or entry.status == LedgerStatus.DELETED:
        return completions.skip(unit.subject, ErrorCode.NOT_IN_QUICKBOOKS)
    current = await current_invoice(unit.client, entry.external_id)
    if current is None or current.id is None or current.sync_token is None:
        # Already gone in QuickBooks: the MediaOS deletion/void holds there too.
        return completions.deleted(
            unit.item, unit.subject, entry.external_id, entry.external_number, entry.generation
        )
    decision = decide_update(
        last_synced_token=entry.sync_token,
        last_synced=entry.fingerprint,
        current_token=current.sync_token,
        current=fingerprint(to_domain(current)),
        desired=None,
        policy=unit.ctx.settings.conflict_policy,
        explicit_push=False,
    )
    if decision.step is UpsertStep.CONFLICT:
        assert decision.conflict is not None
        return conflict(unit, entry, current, None, decision.conflict)
    if operation is Operation.DELETE:
        await unit.client.delete_invoice(
            current.id,
            current.sync_token,
            request_id=request_ids.write_id(unit.item.id, "delete"),
            on_stale="reread_and_retry",
        )
        return completions.deleted(
            unit.item, unit.subject, current.id, entry.external_number, entry.generation
        )
    voided = await unit.client.void_invoice(
        current.id,
        current.sync_token,
        request_id=request_ids.write_id(unit.item.id, "void"),
        on_stale="reread_and_retry",
    )
    completion = completions.success(
        unit.item, unit.subject, Operation.VOID, current.id, entry.external_number
    )
    completion.ledger.append(
        completions.ledger_record(
            unit.item,
            unit.client.realm_id,
            voided,
            version=None,
            generation=entry.generation,
            status=LedgerStatus.VOIDED,
        )
    )
    return completion
