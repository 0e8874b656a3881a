"""Where QBO is lenient (what real clients send) and where it stays strict."""

from __future__ import annotations

import pytest

from services.quickbooks_sandbox.domain import invoices
from services.quickbooks_sandbox.domain.errors import QboFault
from services.quickbooks_sandbox.domain.query import run_query
from services.quickbooks_sandbox.domain.query_parser import parse_query
from services.quickbooks_sandbox.domain.realm import Realm

from .builders import invoice_body, sales_line
from .conftest import NOW


def test_star_with_extra_columns_returns_whole_entities(realm: Realm) -> None:
    query = parse_query("SELECT *, Sku FROM Item MAXRESULTS 100")
    assert query.fields == ()
    result = run_query(realm, "SELECT *, Sku FROM Item MAXRESULTS 100")
    assert [i["Name"] for i in result["Item"]] == ["Display Ad"]
    assert "UnitPrice" in result["Item"][0]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM Invoice ORDER BY Id DESC STARTPOSITION 1 MAXRESULTS 5",
        "select * from invoice orderby Id desc startposition 1 maxresults 5",
    ],
)
def test_order_by_spellings_and_paging(realm: Realm, text: str) -> None:
    for _ in range(3):
        invoices.create_invoice(realm, invoice_body(realm), NOW)
    rows = run_query(realm, text)["Invoice"]
    assert [int(r["Id"]) for r in rows] == sorted((int(r["Id"]) for r in rows), reverse=True)
    assert len(rows) == 3


def test_star_then_garbage_is_still_a_parse_error() -> None:
    with pytest.raises(QboFault) as caught:
        parse_query("SELECT *, FROM Item")
    assert caught.value.code == "4000"


def test_empty_optional_dates_are_absent(realm: Realm) -> None:
    body = invoice_body(realm, TxnDate="", DueDate="", ShipDate="")
    body["Line"][0]["SalesItemLineDetail"]["ServiceDate"] = ""
    data = invoices.create_invoice(realm, body, NOW).data
    assert data["TxnDate"] == "2025-12-31"  # today in Pacific time
    assert data["DueDate"] == "2026-01-30"
    assert "ShipDate" not in data
    assert "ServiceDate" not in data["Line"][0]["SalesItemLineDetail"]


def test_empty_dates_in_a_full_update_keep_the_stored_dates(realm: Realm) -> None:
    record = invoices.create_invoice(realm, invoice_body(realm, TxnDate="2026-01-05"), NOW)
    body = invoice_body(realm, Id=record.id, SyncToken=record.sync_token, TxnDate="", DueDate="")
    updated = invoices.update_invoice(realm, body, NOW + 1).data
    assert updated["TxnDate"] == "2026-01-05"
    assert updated["DueDate"] == "2026-02-04"


@pytest.mark.parametrize("field", ["ShipDate", "TxnDate"])
def test_a_malformed_date_is_still_2010(realm: Realm, field: str) -> None:
    with pytest.raises(QboFault) as caught:
        invoices.create_invoice(realm, invoice_body(realm, **{field: "31/12/2025"}), NOW)
    assert (caught.value.code, caught.value.element) == ("2010", field)


def test_malformed_service_date_is_2010(realm: Realm) -> None:
    body = invoice_body(realm)
    body["Line"][0]["SalesItemLineDetail"]["ServiceDate"] = "soon"
    with pytest.raises(QboFault) as caught:
        invoices.create_invoice(realm, body, NOW)
    assert caught.value.element == "Line.SalesItemLineDetail.ServiceDate"


def test_zero_qty_and_price_beside_an_amount_are_placeholders(realm: Realm) -> None:
    body = invoice_body(realm, Line=[sales_line(realm, qty=0, price=0, amount=250.0)])
    data = invoices.create_invoice(realm, body, NOW).data
    detail = data["Line"][0]["SalesItemLineDetail"]
    assert data["TotalAmt"] == 250.0
    assert "Qty" not in detail and "UnitPrice" not in detail


@pytest.mark.parametrize(("qty", "price"), [(0, 10.0), (3, 0), (2, 100.0)])
def test_other_mismatches_are_still_6070(realm: Realm, qty: float, price: float) -> None:
    body = invoice_body(realm, Line=[sales_line(realm, qty=qty, price=price, amount=250.0)])
    with pytest.raises(QboFault) as caught:
        invoices.create_invoice(realm, body, NOW)
    assert caught.value.code == "6070"


def test_schema_properties_the_sandbox_does_not_model_are_accepted(realm: Realm) -> None:
    body = invoice_body(
        realm,
        EmailStatus="NotSet",
        LinkedTxn=[],
        CustomField=[],
        TotalAmt="",
        HomeBalance=0,
        GlobalTaxCalculation="TaxExcluded",
    )
    body["Line"][0].update({"LineNum": 0, "LinkedTxn": [], "CustomField": []})
    body["Line"][0]["SalesItemLineDetail"]["TaxInclusiveAmt"] = 0
    data = invoices.create_invoice(realm, body, NOW).data
    assert data["EmailStatus"] == "NotSet"
    assert data["TotalAmt"] == 200.0


@pytest.mark.parametrize(
    ("where", "schema_class"),
    [("top", "Invoice"), ("line", "Line"), ("detail", "SalesItemLineDetail")],
)
def test_unknown_properties_are_2010_unrecognized_field(
    realm: Realm, where: str, schema_class: str
) -> None:
    body = invoice_body(realm)
    target = {
        "top": body,
        "line": body["Line"][0],
        "detail": body["Line"][0]["SalesItemLineDetail"],
    }[where]
    target["BillableStatus"] = "NotBillable"
    with pytest.raises(QboFault) as caught:
        invoices.create_invoice(realm, body, NOW)
    assert caught.value.code == "2010"
    assert (
        f'Unrecognized field "BillableStatus" (class com.intuit.schema.finance.v3.{schema_class})'
        in (caught.value.detail)
    )
    assert not realm.invoices.rows
