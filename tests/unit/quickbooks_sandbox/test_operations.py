"""`POST /v3/company/{realm}/{entity}` dispatch: each (entity, operation) to its write, the
response keyed by the entity, and a pair the sandbox does not do refused as QBO would (2010)."""

from __future__ import annotations

import pytest

from services.quickbooks_sandbox.domain.errors import QboFault
from services.quickbooks_sandbox.domain.operations import execute_post
from services.quickbooks_sandbox.domain.realm import Realm

from .builders import customer_id, invoice_body
from .conftest import NOW


def test_invoice_create_void_and_delete_answer_with_the_entity(realm: Realm) -> None:
    created = execute_post(realm, "invoice", invoice_body(realm), None, NOW)["Invoice"]
    ref = {"Id": created["Id"], "SyncToken": created["SyncToken"]}

    voided = execute_post(realm, "Invoice", ref, "void", NOW)["Invoice"]
    assert voided["Id"] == created["Id"] and voided["TotalAmt"] == 0

    ref["SyncToken"] = voided["SyncToken"]
    deleted = execute_post(realm, "invoice", ref, "delete", NOW)["Invoice"]
    assert deleted == {"Id": created["Id"], "status": "Deleted", "domain": "QBO"}


def test_customer_update_by_id(realm: Realm) -> None:
    current = realm.customers.get(customer_id(realm, "Globex"))
    assert current is not None
    body = {"Id": current.id, "SyncToken": current.data["SyncToken"], "DisplayName": "Globex 2"}
    updated = execute_post(realm, "customer", body, None, NOW)["Customer"]
    assert updated["DisplayName"] == "Globex 2"


@pytest.mark.parametrize(("entity", "operation"), [("customer", "void"), ("item", "delete")])
def test_an_operation_the_entity_does_not_have_is_2010(
    realm: Realm, entity: str, operation: str
) -> None:
    with pytest.raises(QboFault) as caught:
        execute_post(realm, entity, {"Id": "1", "SyncToken": "0"}, operation, NOW)
    fault = caught.value
    assert (fault.code, fault.message, fault.http_status) == (
        "2010",
        "Operation not supported",
        400,
    )
    assert (
        fault.detail
        == f"Operation {operation} on {entity.title()} is not supported by this sandbox"
    )
