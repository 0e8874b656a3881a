"""Which QuickBooks write a unit of work asks for, and how a conflict is settled."""

from __future__ import annotations

from enum import StrEnum

from services.contract.results import Operation
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


def operation_of(action: Action, *, exists: bool) -> Operation:
    if action is Action.VOID:
        return Operation.VOID
    if action is Action.DELETE:
        return Operation.DELETE
    return Operation.UPDATE if exists else Operation.CREATE
