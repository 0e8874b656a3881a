"""Query language parsing and execution."""

from __future__ import annotations

import pytest

from services.quickbooks_sandbox.domain import customers, invoices
from services.quickbooks_sandbox.domain.errors import QboFault
from services.quickbooks_sandbox.domain.query import run_query
from services.quickbooks_sandbox.domain.query_parser import Condition, parse_query
from services.quickbooks_sandbox.domain.realm import Realm

from .builders import customer_id, invoice_body
from .conftest import NOW


def test_parse_full_query() -> None:
    query = parse_query(
        "SELECT * FROM Invoice WHERE DocNumber = 'A''1' AND TotalAmt >= 10.5 "
        "AND Id IN ('1', '2') ORDERBY TxnDate DESC STARTPOSITION 3 MAXRESULTS 20"
    )
    assert query.entity == "Invoice"
    assert query.where == [
        Condition("DocNumber", "=", ("A'1",)),
        Condition("TotalAmt", ">=", (10.5,)),
        Condition("Id", "IN", ("1", "2")),
    ]
    assert query.order_by == [("TxnDate", True)]
    assert (query.start_position, query.max_results) == (3, 20)


def test_parse_count_and_lowercase_keywords() -> None:
    query = parse_query("select count(*) from invoice where Active = true")
    assert query.count
    assert query.where == [Condition("Active", "=", (True,))]


def test_parse_backslash_escaped_quote() -> None:
    assert parse_query(r"select * from Customer where DisplayName = 'O\'Hara'").where[0].values == (
        "O'Hara",
    )


@pytest.mark.parametrize(
    "text",
    [
        "select * Invoice",
        "select * from Invoice where",
        "select * from Invoice where DocNumber == '1'",
        "select * from Invoice where DocNumber = '1' garbage",
        "select * from Invoice MAXRESULTS ten",
        "delete from Invoice",
    ],
)
def test_bad_queries_are_4000(text: str) -> None:
    with pytest.raises(QboFault) as excinfo:
        parse_query(text)
    assert excinfo.value.code == "4000"
    assert excinfo.value.message == "Error parsing query"


def _create_many(realm: Realm, count: int) -> list[str]:
    return [invoices.create_invoice(realm, invoice_body(realm), NOW).id for _ in range(count)]


def test_select_by_doc_number_id_in_and_count(realm: Realm) -> None:
    ids = _create_many(realm, 5)
    found = run_query(realm, "select * from Invoice where DocNumber = '1003'")
    assert [inv["Id"] for inv in found["Invoice"]] == [ids[2]]
    assert found["startPosition"] == 1 and found["maxResults"] == 1
    chosen = run_query(realm, f"select * from Invoice where Id in ('{ids[0]}', '{ids[4]}')")
    assert [inv["Id"] for inv in chosen["Invoice"]] == [ids[0], ids[4]]
    assert run_query(realm, "select count(*) from Invoice") == {"totalCount": 5}


def test_empty_result_is_empty_query_response(realm: Realm) -> None:
    assert run_query(realm, "select * from Invoice where DocNumber = 'nope'") == {}


def test_paging_with_startposition_and_maxresults(realm: Realm) -> None:
    ids = _create_many(realm, 7)
    page = run_query(realm, "select * from Invoice STARTPOSITION 3 MAXRESULTS 2")
    assert [inv["Id"] for inv in page["Invoice"]] == ids[2:4]
    assert (page["startPosition"], page["maxResults"]) == (3, 2)
    last = run_query(realm, "select * from Invoice startposition 7 maxresults 5")
    assert [inv["Id"] for inv in last["Invoice"]] == ids[6:]


def test_deleted_invoices_are_not_returned(realm: Realm) -> None:
    ids = _create_many(realm, 2)
    invoices.user_delete(realm, ids[0], NOW)
    assert run_query(realm, "select count(*) from Invoice") == {"totalCount": 1}
    assert run_query(realm, f"select * from Invoice where Id = '{ids[0]}'") == {}


def test_reference_numeric_and_like_comparisons(realm: Realm) -> None:
    acme = customer_id(realm, "Acme Media")
    globex = customer_id(realm, "Globex")
    invoices.create_invoice(realm, invoice_body(realm), NOW)
    invoices.create_invoice(realm, invoice_body(realm, CustomerRef={"value": globex}), NOW)
    by_customer = run_query(realm, f"select * from Invoice where CustomerRef = '{acme}'")
    assert len(by_customer["Invoice"]) == 1
    assert run_query(realm, "select count(*) from Invoice where TotalAmt > '150'") == {
        "totalCount": 2
    }
    like = run_query(realm, "select * from Customer where DisplayName like 'glob%'")
    assert [c["DisplayName"] for c in like["Customer"]] == ["Globex"]


def test_orderby_desc(realm: Realm) -> None:
    ids = _create_many(realm, 3)
    result = run_query(realm, "select * from Invoice orderby Id desc")
    assert [inv["Id"] for inv in result["Invoice"]] == list(reversed(ids))


def test_metadata_time_comparison(realm: Realm) -> None:
    _create_many(realm, 1)
    later = invoices.create_invoice(realm, invoice_body(realm), NOW + 3600)
    result = run_query(
        realm, "select * from Invoice where MetaData.LastUpdatedTime > '2026-01-01T00:30:00Z'"
    )
    assert [inv["Id"] for inv in result["Invoice"]] == [later.id]


def test_inactive_customers_hidden_unless_asked_for(realm: Realm) -> None:
    customers.admin_update_customer(realm, customer_id(realm, "Globex"), {"Active": False}, NOW)
    active = run_query(realm, "select * from Customer")
    assert [c["DisplayName"] for c in active["Customer"]] == ["Acme Media"]
    inactive = run_query(realm, "select * from Customer where Active = false")
    assert [c["DisplayName"] for c in inactive["Customer"]] == ["Globex (deleted)"]


def test_item_query_by_name(realm: Realm) -> None:
    result = run_query(realm, "select * from Item where Name = 'Display Ad'")
    assert result["Item"][0]["UnitPrice"] == 100.0


def test_projection_returns_selected_fields(realm: Realm) -> None:
    _create_many(realm, 1)
    result = run_query(realm, "select Id, DocNumber from Invoice")
    assert set(result["Invoice"][0]) == {"Id", "DocNumber", "sparse"}


def test_unknown_entity_and_property(realm: Realm) -> None:
    with pytest.raises(QboFault) as entity:
        run_query(realm, "select * from Spaceship")
    assert entity.value.code == "4000"
    with pytest.raises(QboFault) as prop:
        run_query(realm, "select * from Invoice where Colour = 'red'")
    assert prop.value.code == "4001"
