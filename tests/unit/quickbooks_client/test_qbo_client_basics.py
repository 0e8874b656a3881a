from __future__ import annotations

import json
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from services.platform.crypto import TokenCipher, TokenDecryptionError
from services.sync_worker.quickbooks.jsonutil import dumps, loads
from services.sync_worker.quickbooks.models import (
    Invoice,
    Line,
    Ref,
    SalesItemLineDetail,
)
from services.sync_worker.quickbooks.queries import in_list, paged, quote
from services.sync_worker.quickbooks.requestid import derive_request_id, validate_request_id


def test_quote_escapes_quotes_and_backslashes() -> None:
    assert quote("O'Brien") == "'O\\'Brien'"
    assert quote("back\\slash") == "'back\\\\slash'"
    assert in_list(["1", "2"]) == "('1', '2')"
    assert paged("select * from Item", 1001, 1000).endswith("STARTPOSITION 1001 MAXRESULTS 1000")


def test_request_id_validation() -> None:
    assert validate_request_id("a" * 50) == "a" * 50
    with pytest.raises(ValueError):
        validate_request_id("a" * 51)
    with pytest.raises(ValueError):
        validate_request_id("")
    with pytest.raises(ValueError):
        validate_request_id("has space")


def test_derived_request_ids_are_deterministic_and_short() -> None:
    assert derive_request_id("evt-1", "st3") == "evt-1-st3"
    long_id = "x" * 50
    derived = derive_request_id(long_id, "st3")
    assert derived == derive_request_id(long_id, "st3")
    assert len(derived) <= 50 and derived != derive_request_id(long_id, "st4")


def test_money_is_exact_in_and_out() -> None:
    parsed = loads(b'{"Amount": 100.10, "Qty": 3}')
    assert parsed["Amount"] == Decimal("100.10")
    encoded = json.loads(dumps({"Amount": Decimal("100.10"), "Qty": Decimal("3")}))
    assert encoded == {"Amount": 100.1, "Qty": 3}
    assert b'"Qty":3' in dumps({"Qty": Decimal("3.00")})
    with pytest.raises(ValueError):
        dumps({"Amount": Decimal("1234567890.1234567")})


def test_invoice_body_uses_qbo_names_and_numbers() -> None:
    invoice = Invoice(
        customer_ref=Ref(value="59"),
        doc_number="INV-1",
        line=[
            Line(
                amount=Decimal("200.00"),
                sales_item_line_detail=SalesItemLineDetail(
                    item_ref=Ref(value="20"), qty=Decimal("2"), unit_price=Decimal("100.00")
                ),
            )
        ],
    )
    body = json.loads(dumps(invoice.to_qbo()))
    assert body == {
        "CustomerRef": {"value": "59"},
        "DocNumber": "INV-1",
        "Line": [
            {
                "Amount": 200,
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {"ItemRef": {"value": "20"}, "Qty": 2, "UnitPrice": 100},
            }
        ],
    }


def test_unknown_fields_survive_a_round_trip() -> None:
    raw = loads(
        b'{"Id": "1", "SyncToken": "2", "CustomerRef": {"value": "5"}, "Line": [],'
        b' "SalesTermRef": {"value": "3"}, "TotalAmt": 10.5}'
    )
    invoice = Invoice.model_validate(raw)
    assert invoice.total_amt == Decimal("10.5")
    assert invoice.to_qbo()["SalesTermRef"] == {"value": "3"}


def test_cipher_round_trip_and_key_rotation() -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old = TokenCipher([old_key])
    blob = old.encrypt(SecretStr("refresh-secret"))
    assert b"refresh-secret" not in blob
    rotated = TokenCipher([new_key, old_key])
    assert rotated.decrypt(blob).get_secret_value() == "refresh-secret"
    with pytest.raises(TokenDecryptionError):
        TokenCipher([new_key]).decrypt(blob)
    assert old_key not in repr(rotated)
