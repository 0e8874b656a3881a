from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from services.contract.settings import ConflictPolicy
from services.sync_worker.sync.domain import request_ids
from services.sync_worker.sync.domain.echo import is_new_external_change
from services.sync_worker.sync.domain.fingerprint import differences, fingerprint
from services.sync_worker.sync.domain.plan import (
    Action,
    ConflictOutcome,
    UpsertDecision,
    UpsertStep,
    action_for,
    decide_update,
    settle_conflict,
)
from services.sync_worker.sync.domain.quickbooks_invoice import QuickBooksInvoice
from services.sync_worker.sync.domain.status import quickbooks_status
from services.sync_worker.sync.domain.translate import to_quickbooks
from tests.support.factories import invoice_snapshot

_BASE = to_quickbooks(
    invoice_snapshot(number="1001"), customer_id="7", item_ids={"P-1": "3"}, number_prefix=None
)


def _qbo(**fields: Any) -> QuickBooksInvoice:
    return replace(_BASE, **fields)


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


def test_events_map_to_actions() -> None:
    assert action_for("invoice.created") is Action.UPSERT
    assert action_for("invoice.updated") is Action.UPSERT
    assert action_for("invoice.voided") is Action.VOID
    assert action_for("invoice.deleted") is Action.DELETE


def test_differences_name_only_the_fields_quickbooks_changed() -> None:
    synced = fingerprint(_qbo())
    edited = fingerprint(_qbo(due_date=None, doc_number="HAND-1"))
    wanted = fingerprint(_qbo(total=Decimal("120.00")))
    diff = differences(synced, edited, wanted)
    assert [d["field"] for d in diff] == ["doc_number", "due_date"]
    assert diff[0]["quickbooks"] == "HAND-1"
    assert diff[0]["mediaos"] == synced["doc_number"]
    assert differences(synced, fingerprint(_qbo()), wanted) == []


def test_quickbooks_status_from_amounts() -> None:
    assert quickbooks_status(_qbo(total=Decimal("100"), balance=Decimal("100"))) == "open"
    assert quickbooks_status(_qbo(total=Decimal("100"), balance=Decimal("0"))) == "paid"
    assert quickbooks_status(_qbo(total=Decimal("100"), balance=Decimal("40"))) == "partially_paid"
    voided = _qbo(total=Decimal("0"), balance=Decimal("0"), private_note="Voided - x")
    assert quickbooks_status(voided) == "voided"


def test_request_ids_are_deterministic_short_and_distinct() -> None:
    a = request_ids.create_invoice_id("t", "inv-1", 0)
    assert a == request_ids.create_invoice_id("t", "inv-1", 0)
    assert a != request_ids.create_invoice_id("t", "inv-1", 1)
    assert a != request_ids.create_invoice_id("t", "inv-2", 0)
    assert request_ids.write_id(5, "update-0") != request_ids.write_id(5, "update-1")
    assert all(len(x) <= 50 for x in (a, request_ids.write_id(10**12, "x" * 100)))


def _decide(**overrides: object) -> object:
    synced = {"total": "100.00", "due_date": "2026-12-01"}
    args: dict[str, object] = {
        "last_synced_token": "3",
        "last_synced": synced,
        "current_token": "3",
        "current": synced,
        "desired": {"total": "120.00", "due_date": "2026-12-01"},
        "policy": ConflictPolicy.REPORT,
        "explicit_push": False,
    }
    args.update(overrides)
    return decide_update(**args)  # type: ignore[arg-type]


def test_unchanged_in_quickbooks_means_update() -> None:
    assert _decide() == UpsertDecision(UpsertStep.UPDATE)


def test_edited_in_quickbooks_is_a_conflict_reported_or_kept_by_policy() -> None:
    edited = {"total": "100.00", "due_date": "2027-01-31"}
    assert _decide(current_token="4", current=edited) == UpsertDecision(
        UpsertStep.CONFLICT, ConflictOutcome.REPORT
    )
    assert _decide(
        current_token="4", current=edited, policy=ConflictPolicy.QUICKBOOKS_WINS
    ) == UpsertDecision(UpsertStep.CONFLICT, ConflictOutcome.KEEP_QUICKBOOKS)
    assert _decide(
        current_token="4", current=edited, policy=ConflictPolicy.MEDIAOS_WINS
    ) == UpsertDecision(UpsertStep.UPDATE)
    assert _decide(current_token="4", current=edited, explicit_push=True) == UpsertDecision(
        UpsertStep.UPDATE
    )


def test_our_own_unrecorded_write_is_not_a_conflict() -> None:
    wanted = {"total": "120.00", "due_date": "2026-12-01"}
    assert _decide(current_token="4", current=wanted, desired=wanted) == UpsertDecision(
        UpsertStep.ALREADY_THERE
    )


def test_token_bumped_without_a_tracked_change_is_not_a_conflict() -> None:
    same = {"total": "100.00", "due_date": "2026-12-01"}
    assert _decide(current_token="5", current=same) == UpsertDecision(UpsertStep.UPDATE)


def test_void_or_delete_after_a_quickbooks_edit_follows_the_policy() -> None:
    edited = {"total": "90.00", "due_date": "2026-12-01"}
    assert _decide(current_token="4", current=edited, desired=None) == UpsertDecision(
        UpsertStep.CONFLICT, ConflictOutcome.REPORT
    )


def test_only_new_external_changes_flow_back() -> None:
    assert not is_new_external_change("4", our_last_write="4", last_reported=None)
    assert not is_new_external_change("5", our_last_write="4", last_reported="5")
    assert is_new_external_change("6", our_last_write="4", last_reported="5")
