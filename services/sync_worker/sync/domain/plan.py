"""Which QuickBooks write a unit of work asks for, and how a conflict is settled."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.contract.settings import ConflictPolicy


class Action(StrEnum):
    UPSERT = "upsert"
    VOID = "void"
    DELETE = "delete"


_BY_EVENT = {
    "invoice.created": Action.UPSERT,
    "invoice.updated": Action.UPSERT,
    "invoice.voided": Action.VOID,
    "invoice.deleted": Action.DELETE,
}


def action_for(event_type: str) -> Action:
    return _BY_EVENT[event_type]


class ConflictOutcome(StrEnum):
    OVERWRITE = "overwrite"
    REPORT = "report"
    KEEP_QUICKBOOKS = "keep_quickbooks"


def settle_conflict(policy: ConflictPolicy, *, explicit_push: bool) -> ConflictOutcome:
    """An explicit push always overwrites: the user confirmed it in the batch dialog."""
    if explicit_push or policy is ConflictPolicy.MEDIAOS_WINS:
        return ConflictOutcome.OVERWRITE
    if policy is ConflictPolicy.QUICKBOOKS_WINS:
        return ConflictOutcome.KEEP_QUICKBOOKS
    return ConflictOutcome.REPORT


class UpsertStep(StrEnum):
    UPDATE = "update"
    ALREADY_THERE = "already_there"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class UpsertDecision:
    step: UpsertStep
    conflict: ConflictOutcome | None = None


def decide_update(
    *,
    last_synced_token: str | None,
    last_synced: dict[str, Any] | None,
    current_token: str | None,
    current: dict[str, Any],
    desired: dict[str, Any] | None,
    policy: ConflictPolicy,
    explicit_push: bool,
) -> UpsertDecision:
    """What to do with a QuickBooks invoice we mirror, given its fingerprints: the one we
    last wrote (`last_synced`), the one QuickBooks has now, and the one MediaOS wants
    (`desired`; None for a void or delete)."""
    if current_token == last_synced_token:
        return UpsertDecision(UpsertStep.UPDATE)
    if desired is not None and current == desired:
        # Our own earlier write (its result was never recorded) is already there.
        return UpsertDecision(UpsertStep.ALREADY_THERE)
    if current == last_synced:
        # QuickBooks bumped the SyncToken without changing a field we track.
        return UpsertDecision(UpsertStep.UPDATE)
    outcome = settle_conflict(policy, explicit_push=explicit_push)
    if outcome is ConflictOutcome.OVERWRITE:
        return UpsertDecision(UpsertStep.UPDATE)
    return UpsertDecision(UpsertStep.CONFLICT, outcome)
