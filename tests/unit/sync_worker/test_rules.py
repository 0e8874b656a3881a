from __future__ import annotations

from decimal import Decimal

from services.contract.results import Operation
from services.contract.settings import ConflictPolicy
from services.sync_worker.quickbooks.models import Invoice
from services.sync_worker.sync.domain import request_ids
from services.sync_worker.sync.domain.fingerprint import differences, fingerprint
from services.sync_worker.sync.domain.plan import (
    Action,
    ConflictOutcome,
    action_for,
    operation_of,
    settle_conflict,
)
from services.sync_worker.sync.domain.status import quickbooks_status
from services.sync_worker.sync.domain.translate import to_quickbooks
from tests.support.factories import invoice_snapshot

_BASE = to_quickbooks(
    invoice_snapshot(number="1001"), customer_id="7", item_ids={"P-1": "3"}, number_prefix=None
)


def _qbo(**fields: object) -> Invoice:
    return _BASE.model_copy(update=fields)


def test_explicit_push_always_overwrites_and_policies_decide_otherwise() -> None:
    for policy in ConflictPolicy:
        assert settle_conflict(policy, explicit_push=True) is ConflictOutcome.OVERWRITE
    assert settle_conflict(ConflictPolicy.REPORT, explicit_push=False) is ConflictOutcome.REPORT
    assert (
        settle_conflict(ConflictPolicy.MEDIAOS_WINS, explicit_push=False)
        is ConflictOutcome.OVERWRITE
    )
    assert (
        settle_conflict(ConflictPolicy.QUICKBOOKS_WINS, explicit_push=False)
        is ConflictOutcome.KEEP_QUICKBOOKS
    )


def test_events_map_to_actions_and_operations() -> None:
    assert action_for("invoice.created") is Action.UPSERT
    assert action_for("invoice.updated") is Action.UPSERT
    assert action_for("invoice.voided") is Action.VOID
    assert action_for("invoice.deleted") is Action.DELETE
    assert operation_of(Action.UPSERT, exists=False) is Operation.CREATE
    assert operation_of(Action.UPSERT, exists=True) is Operation.UPDATE


def test_differences_name_only_the_fields_quickbooks_changed() -> None:
    synced = fingerprint(_qbo())
    edited = fingerprint(_qbo(due_date=None, doc_number="HAND-1"))
    wanted = fingerprint(_qbo(total_amt=Decimal("120.00")))
    diff = differences(synced, edited, wanted)
    assert [d["field"] for d in diff] == ["doc_number", "due_date"]
    assert diff[0]["quickbooks"] == "HAND-1"
    assert diff[0]["mediaos"] == synced["doc_number"]
    assert differences(synced, fingerprint(_qbo()), wanted) == []


def test_quickbooks_status_from_amounts() -> None:
    assert quickbooks_status(_qbo(total_amt=Decimal("100"), balance=Decimal("100"))) == "open"
    assert quickbooks_status(_qbo(total_amt=Decimal("100"), balance=Decimal("0"))) == "paid"
    assert (
        quickbooks_status(_qbo(total_amt=Decimal("100"), balance=Decimal("40"))) == "partially_paid"
    )
    voided = _qbo(total_amt=Decimal("0"), balance=Decimal("0"), private_note="Voided - x")
    assert quickbooks_status(voided) == "voided"


def test_request_ids_are_deterministic_short_and_distinct() -> None:
    a = request_ids.create_invoice_id("t", "inv-1", 0)
    assert a == request_ids.create_invoice_id("t", "inv-1", 0)
    assert a != request_ids.create_invoice_id("t", "inv-1", 1)
    assert a != request_ids.create_invoice_id("t", "inv-2", 0)
    assert request_ids.write_id(5, "update-0") != request_ids.write_id(5, "update-1")
    assert all(len(x) <= 50 for x in (a, request_ids.write_id(10**12, "x" * 100)))
