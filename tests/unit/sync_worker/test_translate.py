from __future__ import annotations

from decimal import Decimal

import pytest

from services.contract.errors import ErrorCode
from services.sync_worker.quickbooks.invoice_mapping import to_wire
from services.sync_worker.sync.domain.failures import SyncFailure
from services.sync_worker.sync.domain.translate import (
    doc_number,
    require_mapped,
    to_quickbooks,
    unmapped_products,
)
from tests.support.factories import invoice_snapshot


def test_invoice_translates_to_quickbooks_lines_with_mapped_items() -> None:
    snap = invoice_snapshot(products=("P-1", "P-2"), unit_price="125.50", quantity="2")
    qbo = to_quickbooks(
        snap, customer_id="58", item_ids={"P-1": "10", "P-2": "11"}, number_prefix="MO-"
    )
    body = to_wire(qbo).to_qbo()
    assert body["CustomerRef"] == {"value": "58"}
    assert body["DocNumber"] == f"MO-{snap.number}"
    assert [ln["SalesItemLineDetail"]["ItemRef"]["value"] for ln in body["Line"]] == ["10", "11"]
    first = body["Line"][0]
    assert first["Amount"] == Decimal("251.00")
    assert first["SalesItemLineDetail"]["Qty"] == Decimal("2")
    assert first["SalesItemLineDetail"]["UnitPrice"] == Decimal("125.50")
    assert body["TxnDate"] == snap.issue_date
    assert body["CurrencyRef"] == {"value": "USD"}
    assert body["PrivateNote"] == f"MediaOS invoice {snap.invoice_id}"


def test_every_unmapped_product_is_named_once() -> None:
    snap = invoice_snapshot(products=("P-1", "P-2", "P-2", "P-3"))
    missing = unmapped_products(snap, {"P-1": "10", "P-3": None}, {"P-3": "Podcast Spot"})
    assert missing == [
        {"product_id": "P-2", "product_name": "P-2 placement"},
        {"product_id": "P-3", "product_name": "Podcast Spot"},
    ]
    with pytest.raises(SyncFailure) as info:
        require_mapped(snap, {"P-1": "10", "P-3": None}, {"P-3": "Podcast Spot"})
    assert info.value.code is ErrorCode.PRODUCT_NOT_MAPPED
    assert "Podcast Spot (product code P-3)" in info.value.message
    assert info.value.details["unmapped_products"] == missing


def test_doc_number_longer_than_quickbooks_allows_is_refused() -> None:
    assert doc_number("12345", "MO-") == "MO-12345"
    with pytest.raises(SyncFailure) as info:
        doc_number("1234567890123456789", "ABCD-")
    assert info.value.code is ErrorCode.INVOICE_NOT_SENDABLE
    assert "21" in info.value.message


def test_line_amount_must_equal_quantity_times_price() -> None:
    snap = invoice_snapshot(unit_price="10.00", quantity="3")
    broken = snap.model_copy(
        update={"lines": [snap.lines[0].model_copy(update={"amount": Decimal("29.00")})]}
    )
    with pytest.raises(SyncFailure) as info:
        to_quickbooks(broken, customer_id="1", item_ids={"P-1": "2"}, number_prefix=None)
    assert info.value.code is ErrorCode.INVOICE_NOT_SENDABLE
    assert info.value.details == {"line_id": "l1"}


def test_invoice_without_lines_is_not_sendable() -> None:
    snap = invoice_snapshot().model_copy(update={"lines": []})
    with pytest.raises(SyncFailure, match="no lines"):
        to_quickbooks(snap, customer_id="1", item_ids={}, number_prefix=None)
