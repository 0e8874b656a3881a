"""Outbound decisions with fakes: create, adopt, regenerate, conflicts, retries, removal, and
re-sending a corrected invoice after QuickBooks rejected it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from services.contract.errors import ErrorCode
from services.contract.settings import ConflictPolicy
from services.sync_worker.sync.completion import (
    Completion,
    CreateRejected,
    LedgerStatus,
    OutcomeKind,
    UnitKind,
)
from services.sync_worker.sync.domain.retry import RetryPolicy
from services.sync_worker.sync.outbound import Outbound, OutboundPolicy
from services.sync_worker.tenants.model import TenantSettings
from tests.support.factories import invoice_snapshot
from tests.unit.sync_worker.fakes import FakeQuickBooks, FakeStore, rejection, timeout, unit

INVOICE = "inv-1"


@pytest.fixture
def qbo() -> FakeQuickBooks:
    return FakeQuickBooks()


@pytest.fixture
def store() -> FakeStore:
    s = FakeStore()
    s.put(invoice_snapshot(INVOICE, number="1001"))
    return s


def _outbound(store: FakeStore, qbo: FakeQuickBooks, max_attempts: int = 3) -> Outbound:
    return Outbound(store, qbo, OutboundPolicy(RetryPolicy(max_attempts, 2.0, 60.0), 10.0))


async def _run(
    store: FakeStore, qbo: FakeQuickBooks, kind: UnitKind = UnitKind.PUSH, **kw: Any
) -> Completion:
    completion = await _outbound(store, qbo).run(unit(kind, INVOICE, **kw))
    store.apply(completion)
    return completion


def _result(completion: Completion) -> dict[str, Any]:
    [message] = completion.results
    body: dict[str, Any] = json.loads(message.value)
    return body


async def test_first_push_creates_the_invoice_and_records_it(
    store: FakeStore, qbo: FakeQuickBooks
) -> None:
    completion = await _run(store, qbo)
    assert str(completion.outcome) == "succeeded:create"
    [created] = qbo.invoices.values()
    assert created.doc_number == "1001"
    assert store.pending_marks == [0]  # marked before the create was sent
    entry = store.ledger[INVOICE]
    assert (entry.external_id, entry.create_pending, entry.synced_version) == (created.id, False, 1)
    assert _result(completion)["external_id"] == created.id


async def test_a_lost_create_answer_is_adopted_not_created_again(
    store: FakeStore, qbo: FakeQuickBooks
) -> None:
    qbo.fail_next("create", timeout(), after_commit=True)
    first = await _run(store, qbo)
    assert first.retry is not None and first.retry.seconds == 2.0
    assert store.ledger[INVOICE].create_pending
    second = await _run(store, qbo, attempts=2)
    assert str(second.outcome) == "succeeded:create"
    assert len(qbo.invoices) == 1
    assert ("find", None) in qbo.calls
    assert store.ledger[INVOICE].external_id == next(iter(qbo.invoices))


@pytest.mark.parametrize(
    "code",
    [ErrorCode.QBO_DUPLICATE_NUMBER, ErrorCode.QBO_INVALID_REFERENCE, ErrorCode.QBO_VALIDATION],
)
async def test_a_corrected_invoice_is_sent_after_a_rejected_create(
    store: FakeStore, qbo: FakeQuickBooks, code: ErrorCode
) -> None:
    qbo.fail_next("create", rejection(code))
    first = await _run(store, qbo)
    assert str(first.outcome) == f"failed:{code.value}"
    assert first.ledger == [CreateRejected("t-1", INVOICE, 0)]
    assert store.ledger[INVOICE].generation == 1

    store.settings = TenantSettings(invoice_number_prefix="M-")  # the user's fix
    second = await _run(store, qbo)
    assert str(second.outcome) == "succeeded:create"
    [created] = qbo.invoices.values()
    assert created.doc_number == "M-1001"
    first_id, second_id = qbo.create_ids()
    assert first_id != second_id  # not a replay of the rejected request


async def test_a_timeout_on_the_corrected_create_still_makes_one(
    store: FakeStore, qbo: FakeQuickBooks
) -> None:
    qbo.fail_next("create", rejection())
    await _run(store, qbo)
    store.settings = TenantSettings(invoice_number_prefix="M-")
    qbo.fail_next("create", timeout(), after_commit=True)
    retried = await _run(store, qbo)
    assert retried.retry is not None and retried.ledger == []  # no new generation
    done = await _run(store, qbo, attempts=2)
    assert str(done.outcome) == "succeeded:create"
    assert [i.doc_number for i in qbo.invoices.values()] == ["M-1001"]


async def test_two_way_sync_sends_the_next_version_after_a_rejection(
    store: FakeStore, qbo: FakeQuickBooks
) -> None:
    qbo.fail_next("create", rejection(ErrorCode.QBO_INVALID_REFERENCE))
    await _run(store, qbo, UnitKind.AUTO, version=1)
    store.put(invoice_snapshot(INVOICE, number="1001", version=2), "invoice.updated")
    done = await _run(store, qbo, UnitKind.AUTO, version=2)
    assert str(done.outcome) == "succeeded:create"
    assert len(qbo.invoices) == 1 and len(set(qbo.create_ids())) == 2


async def test_retryable_errors_use_the_budget_then_fail(
    store: FakeStore, qbo: FakeQuickBooks
) -> None:
    delays = []
    for attempts in (1, 2):
        qbo.fail_next("create", timeout())
        completion = await _run(store, qbo, attempts=attempts)
        assert completion.retry is not None
        delays.append(completion.retry.seconds)
    assert delays == [2.0, 4.0]
    qbo.fail_next("create", timeout())
    last = await _run(store, qbo, attempts=3)
    assert str(last.outcome) == "failed:QBO_UNAVAILABLE"
    assert _result(last)["attempts"] == 3


async def test_push_recreates_an_invoice_deleted_in_quickbooks_as_a_new_generation(
    store: FakeStore, qbo: FakeQuickBooks
) -> None:
    await _run(store, qbo)
    qbo.invoices.clear()
    again = await _run(store, qbo)
    assert str(again.outcome) == "succeeded:create"
    assert store.ledger[INVOICE].generation == 1
    assert len(set(qbo.create_ids())) == 2


async def test_auto_sync_reports_an_invoice_deleted_in_quickbooks(
    store: FakeStore, qbo: FakeQuickBooks
) -> None:
    await _run(store, qbo, UnitKind.AUTO, version=1)
    qbo.invoices.clear()
    store.put(invoice_snapshot(INVOICE, number="1001", version=2), "invoice.updated")
    completion = await _run(store, qbo, UnitKind.AUTO, version=2)
    assert str(completion.outcome) == "failed:QBO_NOT_FOUND"


async def _edited_in_quickbooks(
    store: FakeStore, qbo: FakeQuickBooks, policy: ConflictPolicy
) -> Completion:
    store.settings = TenantSettings(conflict_policy=policy)
    await _run(store, qbo, UnitKind.AUTO, version=1)
    [qid] = qbo.invoices
    qbo.edit_in_quickbooks(qid, doc_number="QB-EDIT")
    store.put(invoice_snapshot(INVOICE, number="1002", version=2), "invoice.updated")
    return await _run(store, qbo, UnitKind.AUTO, version=2)


async def test_conflict_is_reported_by_default(store: FakeStore, qbo: FakeQuickBooks) -> None:
    completion = await _edited_in_quickbooks(store, qbo, ConflictPolicy.REPORT)
    assert str(completion.outcome) == "failed:QBO_CONFLICT"
    [diff] = _result(completion)["error"]["details"]["differences"]
    assert diff == {
        "field": "doc_number",
        "last_synced": "1001",
        "quickbooks": "QB-EDIT",
        "mediaos": "1002",
    }
    assert next(iter(qbo.invoices.values())).doc_number == "QB-EDIT"


@pytest.mark.parametrize(
    ("policy", "outcome", "kept_number"),
    [
        (ConflictPolicy.QUICKBOOKS_WINS, "skipped:conflict", "QB-EDIT"),
        (ConflictPolicy.MEDIAOS_WINS, "succeeded:update", "1002"),
    ],
)
async def test_a_conflict_is_settled_the_way_the_policy_says(
    store: FakeStore, qbo: FakeQuickBooks, policy: ConflictPolicy, outcome: str, kept_number: str
) -> None:
    completion = await _edited_in_quickbooks(store, qbo, policy)
    assert str(completion.outcome) == outcome
    assert next(iter(qbo.invoices.values())).doc_number == kept_number


async def test_void_and_delete_follow_mediaos(store: FakeStore, qbo: FakeQuickBooks) -> None:
    await _run(store, qbo, UnitKind.AUTO, version=1)
    store.put(invoice_snapshot(INVOICE, number="1001", version=2), "invoice.voided")
    voided = await _run(store, qbo, UnitKind.AUTO, version=2)
    assert str(voided.outcome) == "succeeded:void"
    assert store.ledger[INVOICE].status is LedgerStatus.VOIDED
    store.put(invoice_snapshot(INVOICE, number="1001", version=3), "invoice.deleted")
    deleted = await _run(store, qbo, UnitKind.AUTO, version=3)
    assert str(deleted.outcome) == "succeeded:delete"
    assert qbo.invoices == {}
    assert store.ledger[INVOICE].status is LedgerStatus.DELETED
    assert store.ledger[INVOICE].generation == 1


async def test_unmapped_products_and_manual_mode_never_call_quickbooks(
    store: FakeStore, qbo: FakeQuickBooks
) -> None:
    store.mappings = {}
    unmapped = await _run(store, qbo)
    assert str(unmapped.outcome) == "failed:PRODUCT_NOT_MAPPED"
    store.settings = TenantSettings(manual_push=True)
    manual = await _run(store, qbo, UnitKind.AUTO, version=1)
    assert manual.outcome.kind is OutcomeKind.SKIPPED
    assert [op for op, _ in qbo.calls if op in ("create", "update")] == []


async def test_an_invoice_not_received_yet_is_waited_for_then_reported(
    store: FakeStore, qbo: FakeQuickBooks
) -> None:
    early = await _outbound(store, qbo).run(unit(UnitKind.PUSH, "inv-unknown"))
    assert early.retry is not None and not early.retry.counts_as_attempt
    late = await _outbound(store, qbo).run(unit(UnitKind.PUSH, "inv-unknown", age_seconds=60))
    assert str(late.outcome) == "failed:INVOICE_UNKNOWN"


async def test_concurrent_units_of_a_new_customer_look_it_up_once(qbo: FakeQuickBooks) -> None:
    store = FakeStore()
    ids = [f"inv-{n}" for n in range(6)]
    for n, invoice_id in enumerate(ids):
        store.put(invoice_snapshot(invoice_id, number=str(2000 + n)))
    outbound = _outbound(store, qbo)
    completions = await asyncio.gather(*(outbound.run(unit(UnitKind.PUSH, i)) for i in ids))
    assert {str(c.outcome) for c in completions} == {"succeeded:create"}
    assert [op for op, _ in qbo.calls].count("customer") == 1
    assert len(qbo.invoices) == 6
