"""Invoice create/update/void/delete rules and their fault codes."""

from __future__ import annotations

import pytest

from services.quickbooks_sandbox.domain import invoices
from services.quickbooks_sandbox.domain.errors import QboFault
from services.quickbooks_sandbox.domain.events import ChangeEvent
from services.quickbooks_sandbox.domain.realm import Realm

from .builders import customer_id, invoice_body, item_id, sales_line
from .conftest import NOW


def test_create_assigns_string_ids_sync_token_zero_and_totals(realm: Realm) -> None:
    record = invoices.create_invoice(realm, invoice_body(realm), NOW)
    data = record.data
    assert isinstance(data["Id"], str)
    assert data["SyncToken"] == "0"
    assert data["TotalAmt"] == 200.0
    assert data["Balance"] == 200.0
    assert data["DocNumber"] == "1001"
    assert data["TxnDate"] == "2025-12-31"  # company clock is Pacific time
    assert data["DueDate"] == "2026-01-30"
    assert data["CurrencyRef"]["value"] == "USD"
    assert data["CustomerRef"] == {"value": customer_id(realm, "Acme Media"), "name": "Acme Media"}
    sales, subtotal = data["Line"]
    assert sales["Id"] == "1" and sales["LineNum"] == 1
    assert sales["SalesItemLineDetail"]["ItemRef"]["name"] == "Display Ad"
    assert subtotal["DetailType"] == "SubTotalLineDetail"
    assert data["MetaData"]["CreateTime"].endswith("-07:00")


def test_auto_doc_numbers_skip_numbers_already_used(realm: Realm) -> None:
    invoices.create_invoice(realm, invoice_body(realm, DocNumber="1002"), NOW)
    first = invoices.create_invoice(realm, invoice_body(realm), NOW)
    second = invoices.create_invoice(realm, invoice_body(realm), NOW)
    assert (first.data["DocNumber"], second.data["DocNumber"]) == ("1001", "1003")


@pytest.mark.parametrize(("missing", "element"), [("CustomerRef", "CustomerRef"), ("Line", "Line")])
def test_missing_required_field_is_2020(realm: Realm, missing: str, element: str) -> None:
    body = invoice_body(realm)
    del body[missing]
    with pytest.raises(QboFault) as excinfo:
        invoices.create_invoice(realm, body, NOW)
    assert (excinfo.value.code, excinfo.value.element) == ("2020", element)
    assert excinfo.value.http_status == 400


def test_empty_line_list_is_2020(realm: Realm) -> None:
    with pytest.raises(QboFault) as excinfo:
        invoices.create_invoice(realm, invoice_body(realm, Line=[]), NOW)
    assert excinfo.value.code == "2020"


@pytest.mark.parametrize("item", ["Retired Ad", None])
def test_unknown_or_inactive_item_is_2500(realm: Realm, item: str | None) -> None:
    line = sales_line(realm, item="Retired Ad")
    if item is None:
        line["SalesItemLineDetail"]["ItemRef"] = {"value": "99999"}
    with pytest.raises(QboFault) as excinfo:
        invoices.create_invoice(realm, invoice_body(realm, Line=[line]), NOW)
    assert excinfo.value.code == "2500"
    assert excinfo.value.element == "Line.SalesItemLineDetail.ItemRef"


def test_unknown_customer_is_2500(realm: Realm) -> None:
    with pytest.raises(QboFault) as excinfo:
        invoices.create_invoice(realm, invoice_body(realm, CustomerRef={"value": "424242"}), NOW)
    assert (excinfo.value.code, excinfo.value.element) == ("2500", "CustomerRef")


def test_amount_not_qty_times_price_is_6070(realm: Realm) -> None:
    line = sales_line(realm, qty=3, price=100.0, amount=250.0)
    with pytest.raises(QboFault) as excinfo:
        invoices.create_invoice(realm, invoice_body(realm, Line=[line]), NOW)
    assert excinfo.value.code == "6070"


def test_amount_equal_after_rounding_is_accepted(realm: Realm) -> None:
    line = sales_line(realm, qty=3, price=33.333, amount=100.0)
    record = invoices.create_invoice(realm, invoice_body(realm, Line=[line]), NOW)
    assert record.data["TotalAmt"] == 100.0


def test_doc_number_longer_than_21_is_2050(realm: Realm) -> None:
    with pytest.raises(QboFault) as excinfo:
        invoices.create_invoice(realm, invoice_body(realm, DocNumber="X" * 22), NOW)
    fault = excinfo.value
    assert (fault.code, fault.element) == ("2050", "DocNumber")
    assert "Max:21" in fault.detail
    assert invoices.create_invoice(realm, invoice_body(realm, DocNumber="X" * 21), NOW)


def test_duplicate_doc_number_is_6140_with_the_owner_in_detail(realm: Realm) -> None:
    first = invoices.create_invoice(realm, invoice_body(realm, DocNumber="1234"), NOW)
    with pytest.raises(QboFault) as excinfo:
        invoices.create_invoice(realm, invoice_body(realm, DocNumber="1234"), NOW)
    fault = excinfo.value
    assert fault.code == "6140"
    assert fault.message == "Duplicate Document Number Error"
    assert fault.detail == f"DocNumber=1234 is assigned to TxnType=Invoice with TxnId={first.id}"


@pytest.mark.parametrize(
    "settings",
    [{"custom_txn_numbers": False}, {"warn_duplicate_doc_number": False}],
)
def test_duplicate_doc_number_allowed_when_the_warning_is_off(
    realm: Realm, settings: dict[str, bool]
) -> None:
    realm.settings.update(settings)
    invoices.create_invoice(realm, invoice_body(realm, DocNumber="77"), NOW)
    second = invoices.create_invoice(realm, invoice_body(realm, DocNumber="77"), NOW)
    assert second.data["DocNumber"] == "77"
    assert len(realm.doc_numbers["77"]) == 2


def test_deleting_frees_the_doc_number(realm: Realm) -> None:
    first = invoices.create_invoice(realm, invoice_body(realm, DocNumber="55"), NOW)
    invoices.delete_invoice(realm, {"Id": first.id, "SyncToken": "0"}, NOW)
    again = invoices.create_invoice(realm, invoice_body(realm, DocNumber="55"), NOW)
    assert again.id != first.id


def test_sync_token_increments_on_every_write_and_stale_token_is_5010(realm: Realm) -> None:
    record = invoices.create_invoice(realm, invoice_body(realm), NOW)
    body = {"Id": record.id, "SyncToken": "0", "sparse": True, "PrivateNote": "a"}
    assert invoices.update_invoice(realm, body, NOW + 1).sync_token == "1"
    with pytest.raises(QboFault) as excinfo:
        invoices.update_invoice(realm, body, NOW + 2)
    assert (excinfo.value.code, excinfo.value.http_status) == ("5010", 400)
    body["SyncToken"] = "1"
    assert invoices.update_invoice(realm, body, NOW + 3).sync_token == "2"
    assert record.data["MetaData"]["LastUpdatedTime"] != record.data["MetaData"]["CreateTime"]


def test_update_without_sync_token_is_2020(realm: Realm) -> None:
    record = invoices.create_invoice(realm, invoice_body(realm), NOW)
    with pytest.raises(QboFault) as excinfo:
        invoices.update_invoice(realm, {"Id": record.id, "sparse": True}, NOW)
    assert (excinfo.value.code, excinfo.value.element) == ("2020", "SyncToken")


def test_sparse_update_changes_only_sent_fields(realm: Realm) -> None:
    body = invoice_body(realm, PrivateNote="keep", CustomerMemo={"value": "memo"})
    record = invoices.create_invoice(realm, body, NOW)
    lines_before = record.data["Line"]
    invoices.update_invoice(
        realm, {"Id": record.id, "SyncToken": "0", "sparse": True, "DueDate": "2026-03-01"}, NOW
    )
    assert record.data["DueDate"] == "2026-03-01"
    assert record.data["PrivateNote"] == "keep"
    assert record.data["CustomerMemo"] == {"value": "memo"}
    assert record.data["Line"] == lines_before


def test_sending_line_replaces_every_line_even_when_sparse(realm: Realm) -> None:
    two_lines = [sales_line(realm, qty=1), sales_line(realm, qty=2)]
    record = invoices.create_invoice(realm, invoice_body(realm, Line=two_lines), NOW)
    new_line = sales_line(realm, qty=5, price=10.0)
    invoices.update_invoice(
        realm, {"Id": record.id, "SyncToken": "0", "sparse": True, "Line": [new_line]}, NOW
    )
    sales = [ln for ln in record.data["Line"] if ln["DetailType"] == "SalesItemLineDetail"]
    assert len(sales) == 1
    assert sales[0]["Amount"] == 50.0
    assert record.data["TotalAmt"] == 50.0


def test_full_update_nulls_omitted_writable_fields(realm: Realm) -> None:
    body = invoice_body(realm, PrivateNote="gone soon", CustomerMemo={"value": "bye"})
    record = invoices.create_invoice(realm, body, NOW)
    full = invoice_body(realm, Id=record.id, SyncToken="0")
    invoices.update_invoice(realm, full, NOW)
    assert "PrivateNote" not in record.data
    assert "CustomerMemo" not in record.data
    assert "DocNumber" not in record.data
    assert record.data["TxnDate"] == "2025-12-31"  # defaulted fields survive


def test_full_update_requires_line_and_customer(realm: Realm) -> None:
    record = invoices.create_invoice(realm, invoice_body(realm), NOW)
    with pytest.raises(QboFault) as excinfo:
        invoices.update_invoice(
            realm, {"Id": record.id, "SyncToken": "0", "CustomerRef": {"value": "2"}}, NOW
        )
    assert (excinfo.value.code, excinfo.value.element) == ("2020", "Line")


def test_void_zeroes_amounts_and_prefixes_private_note(realm: Realm) -> None:
    record = invoices.create_invoice(realm, invoice_body(realm, PrivateNote="Order 9"), NOW)
    invoices.void_invoice(realm, {"Id": record.id, "SyncToken": "0"}, NOW)
    assert record.data["TotalAmt"] == 0.0
    assert record.data["Balance"] == 0.0
    assert all(line["Amount"] == 0.0 for line in record.data["Line"])
    assert record.data["PrivateNote"].startswith("Voided")
    assert "Order 9" in record.data["PrivateNote"]
    assert record.sync_token == "1"
    assert record.voided


def test_delete_returns_stub_and_later_reads_and_updates_are_610(realm: Realm) -> None:
    record = invoices.create_invoice(realm, invoice_body(realm), NOW)
    stub = invoices.delete_invoice(realm, {"Id": record.id, "SyncToken": "0"}, NOW)
    assert stub == {"Id": record.id, "status": "Deleted", "domain": "QBO"}
    with pytest.raises(QboFault) as read:
        invoices.live_invoice(realm, record.id)
    assert read.value.code == "610"
    with pytest.raises(QboFault) as update:
        invoices.update_invoice(realm, {"Id": record.id, "SyncToken": "0", "sparse": True}, NOW)
    assert update.value.code == "610"


def test_delete_with_stale_sync_token_is_5010(realm: Realm) -> None:
    record = invoices.create_invoice(realm, invoice_body(realm), NOW)
    invoices.user_edit(realm, record.id, {"PrivateNote": "edited in QBO"}, NOW)
    with pytest.raises(QboFault) as excinfo:
        invoices.delete_invoice(realm, {"Id": record.id, "SyncToken": "0"}, NOW)
    assert excinfo.value.code == "5010"


def test_writes_emit_change_events(realm: Realm, events: list[ChangeEvent]) -> None:
    record = invoices.create_invoice(realm, invoice_body(realm), NOW)
    invoices.user_edit(realm, record.id, {"PrivateNote": "x"}, NOW)
    invoices.user_void(realm, record.id, NOW)
    invoices.user_delete(realm, record.id, NOW)
    assert [(e.entity, e.entity_id, e.operation) for e in events] == [
        ("Invoice", record.id, op) for op in ("Create", "Update", "Void", "Delete")
    ]
    assert all(e.realm_id == realm.realm_id for e in events)


def test_read_only_fields_sent_by_the_client_are_ignored(realm: Realm) -> None:
    body = invoice_body(realm, TotalAmt=1.0, Balance=2.0, MetaData={"CreateTime": "x"})
    record = invoices.create_invoice(realm, body, NOW)
    assert record.data["TotalAmt"] == 200.0
    assert record.data["MetaData"]["CreateTime"] != "x"


def test_client_subtotal_lines_are_ignored(realm: Realm) -> None:
    lines = [sales_line(realm), {"Amount": 999, "DetailType": "SubTotalLineDetail"}]
    record = invoices.create_invoice(realm, invoice_body(realm, Line=lines), NOW)
    assert record.data["TotalAmt"] == 100.0
    assert (
        item_id(realm, "Display Ad")
        == record.data["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"]
    )
