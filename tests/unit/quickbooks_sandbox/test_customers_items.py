"""Customer names (6240), inactive customers, items."""

from __future__ import annotations

import pytest

from services.quickbooks_sandbox.domain import customers, invoices, items
from services.quickbooks_sandbox.domain.errors import QboFault
from services.quickbooks_sandbox.domain.realm import Realm

from .builders import customer_id, invoice_body, item_id
from .conftest import NOW


def test_create_customer_has_qbo_shape(realm: Realm) -> None:
    record = customers.create_customer(
        realm, {"DisplayName": "Initech", "PrimaryEmailAddr": {"Address": "a@b.c"}}, NOW
    )
    assert record.data["SyncToken"] == "0"
    assert record.data["Active"] is True
    assert record.data["PrimaryEmailAddr"] == {"Address": "a@b.c"}
    assert record.data["FullyQualifiedName"] == "Initech"


def test_display_name_built_from_name_parts(realm: Realm) -> None:
    record = customers.create_customer(realm, {"GivenName": "Ada", "FamilyName": "Byron"}, NOW)
    assert record.data["DisplayName"] == "Ada Byron"


def test_customer_without_any_name_is_2020(realm: Realm) -> None:
    with pytest.raises(QboFault) as excinfo:
        customers.create_customer(realm, {"CompanyName": ""}, NOW)
    assert excinfo.value.code == "2020"


@pytest.mark.parametrize("name", ["Acme Media", "acme media"])
def test_duplicate_display_name_is_6240(realm: Realm, name: str) -> None:
    with pytest.raises(QboFault) as excinfo:
        customers.create_customer(realm, {"DisplayName": name}, NOW)
    assert excinfo.value.code == "6240"
    assert excinfo.value.message == "Duplicate Name Exists Error"


def test_inactive_customer_is_renamed_deleted_and_rejected_on_invoices(realm: Realm) -> None:
    acme = customer_id(realm, "Acme Media")
    body = invoice_body(realm)
    customers.admin_update_customer(realm, acme, {"Active": False}, NOW)
    assert realm.customers.rows[acme].data["DisplayName"] == "Acme Media (deleted)"
    with pytest.raises(QboFault) as excinfo:
        invoices.create_invoice(realm, body, NOW)
    assert (excinfo.value.code, excinfo.value.element) == ("2500", "CustomerRef")
    # The name is free again.
    assert customers.create_customer(realm, {"DisplayName": "Acme Media"}, NOW)


def test_customer_update_checks_sync_token(realm: Realm) -> None:
    acme = customer_id(realm, "Acme Media")
    updated = customers.update_customer(
        realm, {"Id": acme, "SyncToken": "0", "CompanyName": "Acme Inc"}, NOW
    )
    assert updated.sync_token == "1"
    with pytest.raises(QboFault) as excinfo:
        customers.update_customer(realm, {"Id": acme, "SyncToken": "0"}, NOW)
    assert excinfo.value.code == "5010"


def test_renaming_customer_into_an_existing_name_is_6240(realm: Realm) -> None:
    globex = customer_id(realm, "Globex")
    with pytest.raises(QboFault) as excinfo:
        customers.admin_update_customer(realm, globex, {"DisplayName": "ACME MEDIA"}, NOW)
    assert excinfo.value.code == "6240"


def test_item_deactivation_blocks_new_invoices_but_not_reads(realm: Realm) -> None:
    ad = item_id(realm, "Display Ad")
    items.update_item(realm, ad, {"active": False}, NOW)
    assert items.read_item(realm, ad).data["Active"] is False
    with pytest.raises(QboFault) as excinfo:
        invoices.create_invoice(realm, invoice_body(realm), NOW)
    assert excinfo.value.code == "2500"


def test_duplicate_item_name_is_6240(realm: Realm) -> None:
    with pytest.raises(QboFault) as excinfo:
        items.create_item(realm, {"name": "display ad", "unit_price": 1}, NOW)
    assert excinfo.value.code == "6240"


def test_unknown_item_read_is_610(realm: Realm) -> None:
    with pytest.raises(QboFault) as excinfo:
        items.read_item(realm, "8888")
    assert excinfo.value.code == "610"
