"""Invoice, customer, item, query, CDC and batch over real HTTP, checked against QBO shapes."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import RealmHandle, connect_realm

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$")


def assert_fault(
    response: httpx.Response, status: int, code: str, fault_type: str = "ValidationFault"
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert TIME.match(body["time"])
    assert body["Fault"]["type"] == fault_type
    error: dict[str, Any] = body["Fault"]["Error"][0]
    assert error["code"] == code
    assert isinstance(error["Message"], str) and isinstance(error["Detail"], str)
    return error


def test_create_read_sparse_update_void_delete(realm: RealmHandle) -> None:
    created = realm.post("invoice", realm.invoice_body(PrivateNote="campaign 7"))
    assert created.status_code == 200
    assert TIME.match(created.json()["time"])
    invoice = created.json()["Invoice"]
    assert (invoice["SyncToken"], invoice["TotalAmt"]) == ("0", 200.0)
    assert isinstance(invoice["Id"], str)

    read = realm.get(f"invoice/{invoice['Id']}")
    assert read.json()["Invoice"] == invoice

    update = realm.post(
        "invoice",
        {
            "Id": invoice["Id"],
            "SyncToken": "0",
            "sparse": True,
            "CustomerMemo": {"value": "Thanks"},
        },
    )
    assert update.json()["Invoice"]["SyncToken"] == "1"
    assert update.json()["Invoice"]["PrivateNote"] == "campaign 7"

    stale = realm.post("invoice", {"Id": invoice["Id"], "SyncToken": "0", "sparse": True})
    assert_fault(stale, 400, "5010")

    voided = realm.post("invoice", {"Id": invoice["Id"], "SyncToken": "1"}, operation="void")
    assert voided.json()["Invoice"]["TotalAmt"] == 0
    assert voided.json()["Invoice"]["PrivateNote"].startswith("Voided")

    deleted = realm.post("invoice", {"Id": invoice["Id"], "SyncToken": "2"}, operation="delete")
    assert deleted.status_code == 200
    assert deleted.json()["Invoice"] == {"Id": invoice["Id"], "status": "Deleted", "domain": "QBO"}
    assert_fault(realm.get(f"invoice/{invoice['Id']}"), 400, "610")


def _line(realm: RealmHandle, **detail: Any) -> dict[str, Any]:
    base = {"ItemRef": {"value": realm.item_id}, "Qty": 1, "UnitPrice": 100.0}
    base.update(detail)
    return {"Amount": 100.0, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": base}


@pytest.mark.parametrize(
    ("overrides", "code", "element"),
    [
        ({"Line": None}, "2020", "Line"),
        ({"CustomerRef": None}, "2020", "CustomerRef"),
        ({"DocNumber": "D" * 22}, "2050", "DocNumber"),
        ({"CustomerRef": {"value": "999999"}}, "2500", "CustomerRef"),
        ("unknown-item", "2500", "Line.SalesItemLineDetail.ItemRef"),
        ("bad-amount", "6070", "Line.Amount"),
    ],
)
def test_validation_faults(realm: RealmHandle, overrides: Any, code: str, element: str) -> None:
    if overrides == "unknown-item":
        overrides = {"Line": [_line(realm, ItemRef={"value": "424242"})]}
    elif overrides == "bad-amount":
        overrides = {"Line": [_line(realm, Qty=3)]}
    body = {k: v for k, v in realm.invoice_body(**overrides).items() if v is not None}
    error = assert_fault(realm.post("invoice", body), 400, code)
    assert error["element"] == element
    assert realm.all_invoices() == []


def test_duplicate_doc_number_6140(realm: RealmHandle) -> None:
    first = realm.create_invoice(DocNumber="1234")
    error = assert_fault(realm.post("invoice", realm.invoice_body(DocNumber="1234")), 400, "6140")
    assert error["Message"] == "Duplicate Document Number Error"
    expected = f"DocNumber=1234 is assigned to TxnType=Invoice with TxnId={first['Id']}"
    assert error["Detail"] == expected


def test_customers_create_read_query_and_6240(realm: RealmHandle) -> None:
    created = realm.post("customer", {"DisplayName": "Initech"})
    customer = created.json()["Customer"]
    assert customer["SyncToken"] == "0"
    assert realm.get(f"customer/{customer['Id']}").json()["Customer"]["DisplayName"] == "Initech"
    error = assert_fault(realm.post("customer", {"DisplayName": "Initech"}), 400, "6240")
    assert error["Message"] == "Duplicate Name Exists Error"
    found = realm.get("query", query="select * from Customer where DisplayName = 'Initech'")
    assert [c["Id"] for c in found.json()["QueryResponse"]["Customer"]] == [customer["Id"]]


def test_item_read_and_query(realm: RealmHandle) -> None:
    item = realm.get(f"item/{realm.item_id}").json()["Item"]
    assert (item["Name"], item["UnitPrice"], item["Active"]) == ("Display Ad", 100.0, True)
    items = realm.get("query", query="select * from Item").json()["QueryResponse"]["Item"]
    assert [i["Id"] for i in items] == [realm.item_id]


def test_query_get_post_paging_and_count(realm: RealmHandle) -> None:
    ids = [realm.create_invoice()["Id"] for _ in range(5)]
    page = realm.get("query", query="select * from Invoice startposition 2 maxresults 2")
    response = page.json()["QueryResponse"]
    assert [inv["Id"] for inv in response["Invoice"]] == ids[1:3]
    assert (response["startPosition"], response["maxResults"]) == (2, 2)
    posted = realm.http.post(
        f"{realm.base}/query",
        content=f"select * from Invoice where Id in ('{ids[0]}','{ids[4]}')",
        headers={**realm.auth, "Content-Type": "application/text"},
    )
    assert [inv["Id"] for inv in posted.json()["QueryResponse"]["Invoice"]] == [ids[0], ids[4]]
    count = realm.get("query", query="select count(*) from Invoice").json()
    assert count["QueryResponse"] == {"totalCount": 5}
    assert TIME.match(count["time"])
    assert (
        realm.get("query", query="select * from Invoice where DocNumber = 'x'").json()[
            "QueryResponse"
        ]
        == {}
    )
    assert_fault(realm.get("query", query="select from"), 400, "4000")


def test_cdc_over_http(realm: RealmHandle) -> None:
    kept = realm.create_invoice()
    gone = realm.create_invoice()
    realm.post("invoice", {"Id": gone["Id"], "SyncToken": "0"}, operation="delete")
    since = kept["MetaData"]["CreateTime"]
    body = realm.get("cdc", entities="Invoice,Customer", changedSince=since).json()
    assert TIME.match(body["time"])
    invoice_part = body["CDCResponse"][0]["QueryResponse"][0]
    by_id = {inv["Id"]: inv for inv in invoice_part["Invoice"]}
    assert by_id[kept["Id"]]["SyncToken"] == "0"
    assert by_id[gone["Id"]]["status"] == "Deleted"
    assert invoice_part["startPosition"] == 1
    old = realm.get("cdc", entities="Invoice", changedSince="2001-01-01T00:00:00Z")
    assert_fault(old, 400, "6000")


def test_batch_over_http_and_1040(realm: RealmHandle) -> None:
    body = {
        "BatchItemRequest": [
            {"bId": "b1", "operation": "create", "Invoice": realm.invoice_body()},
            {"bId": "b2", "operation": "create", "Invoice": realm.invoice_body(DocNumber="Z" * 30)},
            {"bId": "b3", "Query": "select count(*) from Invoice"},
        ]
    }
    response = realm.post("batch", body)
    assert response.status_code == 200
    items = response.json()["BatchItemResponse"]
    assert items[0]["Invoice"]["SyncToken"] == "0"
    assert items[1]["Fault"]["Error"][0]["code"] == "2050"
    assert items[2]["QueryResponse"]["totalCount"] == 1
    realm.http.put(f"{realm.admin}/limits", json={"per_second": 100})
    too_big = {
        "BatchItemRequest": [{"bId": str(i), "Query": "select * from Item"} for i in range(31)]
    }
    assert_fault(realm.post("batch", too_big), 400, "1040")
    realm.http.put(f"{realm.admin}/settings", json={"batch_max_items": 40})
    assert realm.post("batch", too_big).status_code == 200


def test_requestid_replays_original_response_without_running_again(realm: RealmHandle) -> None:
    first = realm.post("invoice", realm.invoice_body(), requestid="req-1")
    again = realm.post("invoice", realm.invoice_body(PrivateNote="different"), requestid="req-1")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert len(realm.all_invoices()) == 1
    # A fault is replayed as it was, too.
    bad = realm.post("invoice", realm.invoice_body(DocNumber="Q" * 30), requestid="req-2")
    fixed = realm.post("invoice", realm.invoice_body(), requestid="req-2")
    assert (fixed.status_code, fixed.json()) == (400, bad.json())
    # Batches replay as a whole.
    batch = {
        "BatchItemRequest": [{"bId": "1", "operation": "create", "Invoice": realm.invoice_body()}]
    }
    one = realm.post("batch", batch, requestid="req-3")
    two = realm.post("batch", batch, requestid="req-3")
    assert one.json() == two.json()
    assert len(realm.all_invoices()) == 2


def test_requestid_is_scoped_per_realm(realm: RealmHandle, http: httpx.Client) -> None:
    other = connect_realm(http)
    realm.post("invoice", realm.invoice_body(), requestid="shared")
    second = other.post("invoice", other.invoice_body(), requestid="shared")
    assert second.status_code == 200
    assert len(other.all_invoices()) == 1
