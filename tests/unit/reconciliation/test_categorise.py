"""The pure comparison: each invoice lands in exactly one category with the right fields."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from services.contract.reconciliation import ReconciliationCategory as C
from services.contract.reconciliation import ReconciliationFinding as Finding
from services.sync_worker.reconciliation.domain.categorise import categorise
from services.sync_worker.reconciliation.domain.model import (
    LedgerRow,
    MediaosInvoice,
    QuickBooksInvoice,
    QuickBooksLine,
    TenantView,
)
from services.sync_worker.reconciliation.domain.totals import totals
from tests.support.factories import invoice_snapshot

TENANT = TenantView(
    connected=True,
    number_prefix="MO-",
    item_ids={"P-1": "7"},
    customer_ids={"c-acme-media": "55"},
)


def _mediaos(invoice_id: str, number: str, event_type: str = "invoice.created") -> MediaosInvoice:
    return MediaosInvoice(invoice_snapshot(invoice_id, number=number), event_type)


def _mirror(m: MediaosInvoice, qid: str, token: str = "0") -> QuickBooksInvoice:
    """What the sync writes for `m`."""
    inv = m.snapshot
    return QuickBooksInvoice(
        id=qid,
        sync_token=token,
        doc_number=f"MO-{inv.number}",
        customer_id="55",
        customer_name=inv.customer.display_name,
        txn_date=inv.issue_date,
        due_date=inv.due_date,
        total=inv.total,
        memo=inv.memo,
        private_note=f"MediaOS invoice {inv.invoice_id}",
        lines=tuple(
            QuickBooksLine("7", ln.quantity, ln.unit_price, ln.amount, ln.description)
            for ln in inv.lines
        ),
    )


def _ledger(m: MediaosInvoice, qid: str | None, token: str | None = "0") -> LedgerRow:
    return LedgerRow(m.snapshot.invoice_id, qid, token, "active")


def _one(findings: list[Finding], invoice_id: str) -> Finding:
    [found] = [f for f in findings if f.invoice_id == invoice_id]
    return found


def test_a_faithful_mirror_is_in_sync() -> None:
    m = _mediaos("i1", "1001")
    [finding] = categorise([m], {"i1": _ledger(m, "10")}, [_mirror(m, "10")], TENANT)
    assert finding.category is C.IN_SYNC
    assert finding.differences == []
    assert finding.edited_in_quickbooks is False
    assert finding.mediaos_total == finding.quickbooks_total == Decimal("100.00")


def test_an_edit_in_quickbooks_lists_each_field_with_both_values() -> None:
    m = _mediaos("i1", "1001")
    edited = replace(
        _mirror(m, "10", token="3"),
        total=Decimal("150.00"),
        memo="Changed by the bookkeeper",
        lines=(QuickBooksLine("7", Decimal("1"), Decimal("150.00"), Decimal("150.00"), None),),
    )
    [finding] = categorise([m], {"i1": _ledger(m, "10", "0")}, [edited], TENANT)
    assert finding.category is C.DIFFERENT
    assert {d.field for d in finding.differences} == {"lines", "memo", "total"}
    total = next(d for d in finding.differences if d.field == "total")
    assert (total.mediaos, total.quickbooks) == ("100.00", "150.00")
    memo = next(d for d in finding.differences if d.field == "memo")
    assert memo.quickbooks == "Changed by the bookkeeper"
    assert finding.edited_in_quickbooks is True


def test_a_renumbered_invoice_with_another_customer_and_dates_is_different() -> None:
    m = _mediaos("i1", "1001")
    changed = replace(
        _mirror(m, "10"),
        doc_number="MO-9999",
        customer_id="56",
        customer_name="Other Co",
        txn_date=date(2026, 1, 1),
        due_date=None,
    )
    [finding] = categorise([m], {"i1": _ledger(m, "10")}, [changed], TENANT)
    fields = {d.field: (d.mediaos, d.quickbooks) for d in finding.differences}
    assert fields["number"] == ("MO-1001", "MO-9999")
    assert fields["issue_date"] == ("2026-11-01", "2026-01-01")
    assert fields["due_date"] == ("2026-12-01", None)
    assert "Other Co" in (fields["customer"][1] or "")


def test_voided_in_quickbooks_is_different_on_voided_and_total() -> None:
    m = _mediaos("i1", "1001")
    voided = replace(
        _mirror(m, "10", token="2"),
        total=Decimal("0"),
        private_note="Voided - MediaOS invoice i1",
        voided=True,
    )
    [finding] = categorise([m], {"i1": _ledger(m, "10")}, [voided], TENANT)
    assert finding.category is C.DIFFERENT
    fields = {d.field: (d.mediaos, d.quickbooks) for d in finding.differences}
    assert fields == {"voided": ("false", "true"), "total": ("100.00", "0.00")}


def test_voided_on_both_sides_is_in_sync() -> None:
    m = _mediaos("i1", "1001", "invoice.voided")
    voided = replace(_mirror(m, "10"), total=Decimal("0"), voided=True)
    [finding] = categorise([m], {"i1": _ledger(m, "10")}, [voided], TENANT)
    assert finding.category is C.IN_SYNC
    assert finding.mediaos_total == Decimal("0")


def test_missing_in_quickbooks_says_whether_it_was_never_sent_or_deleted_there() -> None:
    sent, unsent = _mediaos("i1", "1001"), _mediaos("i2", "1002")
    findings = categorise([sent, unsent], {"i1": _ledger(sent, "10")}, [], TENANT)
    assert {f.invoice_id: (f.category, f.reason) for f in findings} == {
        "i1": (C.MISSING_IN_QUICKBOOKS, "deleted_in_quickbooks"),
        "i2": (C.MISSING_IN_QUICKBOOKS, "never_sent"),
    }
    assert all(f.quickbooks_total == 0 for f in findings)


def test_unmapped_or_unconnected_invoices_are_not_sendable() -> None:
    m = MediaosInvoice(invoice_snapshot("i1", number="1", products=("P-2",)), "invoice.created")
    [finding] = categorise([m], {}, [], TENANT)
    assert (finding.category, finding.reason) == (C.NOT_SENDABLE, "PRODUCT_NOT_MAPPED")
    assert "P-2" in (finding.detail or "")
    offline = replace(TENANT, connected=False)
    ok = _mediaos("i2", "2")
    [finding] = categorise([ok], {}, [_mirror(ok, "10")], offline)
    assert (finding.category, finding.reason) == (C.NOT_SENDABLE, "NOT_CONNECTED")


def test_quickbooks_invoices_with_our_prefix_but_no_mediaos_invoice_are_only_in_quickbooks() -> (
    None
):
    m = _mediaos("i1", "1001")
    stranger = replace(_mirror(m, "11"), doc_number="MO-5000", private_note=None)
    deleted = _mediaos("i3", "1003", "invoice.deleted")
    findings = categorise(
        [m, deleted],
        {"i1": _ledger(m, "10"), "i3": _ledger(deleted, "12")},
        [_mirror(m, "10"), stranger, _mirror(deleted, "12")],
        TENANT,
    )
    only = {f.external_id: f.reason for f in findings if f.category is C.ONLY_IN_QUICKBOOKS}
    assert only == {"11": "not_in_mediaos", "12": "deleted_in_mediaos"}
    assert _one(findings, "i1").category is C.IN_SYNC


def test_a_create_never_recorded_is_found_by_its_marker() -> None:
    m = _mediaos("i1", "1001")
    [finding] = categorise([m], {}, [_mirror(m, "10")], TENANT)
    assert finding.category is C.IN_SYNC
    assert finding.edited_in_quickbooks is None


def test_deleted_in_mediaos_and_absent_from_quickbooks_is_left_out() -> None:
    assert categorise([_mediaos("i1", "1", "invoice.deleted")], {}, [], TENANT) == []


def test_totals_per_category_add_up_to_the_grand_total() -> None:
    a, b, c = _mediaos("a", "1"), _mediaos("b", "2"), _mediaos("c", "3")
    edited = replace(_mirror(b, "20"), total=Decimal("80.00"))
    findings = categorise(
        [a, b, c],
        {"a": _ledger(a, "10"), "b": _ledger(b, "20")},
        [_mirror(a, "10"), edited, replace(_mirror(a, "30"), doc_number="MO-77", private_note="")],
        TENANT,
    )
    per, overall = totals(findings)
    assert per[C.IN_SYNC].count == per[C.DIFFERENT].count == per[C.MISSING_IN_QUICKBOOKS].count == 1
    assert per[C.ONLY_IN_QUICKBOOKS].count == 1 and per[C.NOT_SENDABLE].count == 0
    assert overall.count == sum(t.count for t in per.values()) == 4
    assert (
        overall.mediaos_amount == sum(t.mediaos_amount for t in per.values()) == Decimal("300.00")
    )
    assert overall.quickbooks_amount == Decimal("280.00")
