"""CDC windows and stubs; batch limits and independent item failures."""

from __future__ import annotations

import pytest

from services.quickbooks_sandbox.domain import invoices
from services.quickbooks_sandbox.domain.batch import call_count, run_batch
from services.quickbooks_sandbox.domain.cdc import run_cdc
from services.quickbooks_sandbox.domain.errors import QboFault
from services.quickbooks_sandbox.domain.realm import Realm

from .builders import invoice_body, sales_line
from .conftest import NOW

SINCE = "2026-01-01T00:00:00Z"


def test_cdc_returns_changed_entities_and_deleted_stubs(realm: Realm) -> None:
    kept = invoices.create_invoice(realm, invoice_body(realm), NOW + 10)
    gone = invoices.create_invoice(realm, invoice_body(realm), NOW + 20)
    invoices.user_delete(realm, gone.id, NOW + 30)
    result = run_cdc(realm, "Invoice,Customer", SINCE, NOW + 40)
    invoice_part, customer_part = result["QueryResponse"]
    by_id = {inv["Id"]: inv for inv in invoice_part["Invoice"]}
    assert by_id[kept.id]["SyncToken"] == "0"
    assert by_id[gone.id]["status"] == "Deleted"
    assert set(by_id[gone.id]) == {"Id", "status", "domain", "MetaData"}
    assert invoice_part["maxResults"] == 2
    # Customers were seeded at NOW, which is not before the cut-off.
    assert len(customer_part["Customer"]) == 2


def test_cdc_only_after_changed_since(realm: Realm) -> None:
    invoices.create_invoice(realm, invoice_body(realm), NOW)
    later = invoices.create_invoice(realm, invoice_body(realm), NOW + 100)
    result = run_cdc(realm, "Invoice", "2026-01-01T00:01:00+00:00", NOW + 200)
    assert [inv["Id"] for inv in result["QueryResponse"][0]["Invoice"]] == [later.id]


def test_cdc_look_back_over_30_days_is_a_fault(realm: Realm) -> None:
    with pytest.raises(QboFault) as excinfo:
        run_cdc(realm, "Invoice", "2025-11-01T00:00:00Z", NOW)
    assert excinfo.value.http_status == 400
    assert excinfo.value.element == "changedSince"


def test_cdc_requires_parameters(realm: Realm) -> None:
    with pytest.raises(QboFault) as missing:
        run_cdc(realm, "Invoice", None, NOW)
    assert missing.value.code == "2020"
    with pytest.raises(QboFault) as bad:
        run_cdc(realm, "Spaceship", SINCE, NOW)
    assert bad.value.element == "entities"


def test_cdc_caps_objects(realm: Realm) -> None:
    realm.settings.update({"cdc_max_objects": 3})
    for offset in range(5):
        invoices.create_invoice(realm, invoice_body(realm), NOW + offset + 1)
    result = run_cdc(realm, "Invoice", "2026-01-01T00:00:01Z", NOW + 10)
    assert len(result["QueryResponse"][0]["Invoice"]) == 3


def _create_item(realm: Realm, batch_id: str, **overrides: object) -> dict[str, object]:
    return {"bId": batch_id, "operation": "create", "Invoice": invoice_body(realm, **overrides)}


def test_batch_items_fail_independently(realm: Realm) -> None:
    bad_line = sales_line(realm, qty=2, price=10.0, amount=5.0)
    body = {
        "BatchItemRequest": [
            _create_item(realm, "b1"),
            _create_item(realm, "b2", Line=[bad_line]),
            {"bId": "b3", "Query": "select count(*) from Invoice"},
        ]
    }
    responses = run_batch(realm, body, NOW)["BatchItemResponse"]
    assert [r["bId"] for r in responses] == ["b1", "b2", "b3"]
    assert responses[0]["Invoice"]["SyncToken"] == "0"
    assert responses[1]["Fault"]["Error"][0]["code"] == "6070"
    assert responses[1]["Fault"]["type"] == "ValidationFault"
    assert responses[2]["QueryResponse"] == {"totalCount": 1}


def test_batch_update_void_and_delete(realm: Realm) -> None:
    one = invoices.create_invoice(realm, invoice_body(realm), NOW)
    two = invoices.create_invoice(realm, invoice_body(realm), NOW)
    body = {
        "BatchItemRequest": [
            {
                "bId": "v",
                "operation": "update",
                "optionsData": "void",
                "Invoice": {"Id": one.id, "SyncToken": "0"},
            },
            {"bId": "d", "operation": "delete", "Invoice": {"Id": two.id, "SyncToken": "0"}},
        ]
    }
    responses = run_batch(realm, body, NOW)["BatchItemResponse"]
    assert responses[0]["Invoice"]["TotalAmt"] == 0.0
    assert responses[1]["Invoice"]["status"] == "Deleted"


def test_batch_over_the_limit_is_1040(realm: Realm) -> None:
    realm.settings.update({"batch_max_items": 2})
    body = {"BatchItemRequest": [_create_item(realm, f"b{i}") for i in range(3)]}
    with pytest.raises(QboFault) as excinfo:
        run_batch(realm, body, NOW)
    assert excinfo.value.code == "1040"
    assert len(realm.invoices) == 0
    assert call_count(body) == 3


def test_batch_default_limit_is_30(realm: Realm) -> None:
    body = {
        "BatchItemRequest": [
            {"bId": str(i), "Query": "select count(*) from Item"} for i in range(31)
        ]
    }
    with pytest.raises(QboFault) as excinfo:
        run_batch(realm, body, NOW)
    assert excinfo.value.code == "1040"
    body["BatchItemRequest"].pop()
    assert len(run_batch(realm, body, NOW)["BatchItemResponse"]) == 30
