from __future__ import annotations

import json

import pytest

from services.contract.errors import ErrorCode
from services.sync_worker.quickbooks.errors import (
    QuickBooksAuthError,
    QuickBooksDuplicateNameError,
    QuickBooksStaleObjectError,
)
from services.sync_worker.quickbooks.faults import fault_to_error, parse_fault
from tests.unit.quickbooks_client.qbo_client_fakes import THROTTLE_XML, fault


def _body(payload: object) -> bytes:
    return json.dumps(payload).encode()


def test_parses_json_fault() -> None:
    parsed = parse_fault(
        400, _body(fault("2500", "Invalid Reference Id", element="Line.ItemRef")), "tid-1"
    )
    assert parsed.codes == ("2500",)
    assert parsed.primary is not None
    assert parsed.primary.element == "Line.ItemRef"
    assert parsed.intuit_tid == "tid-1"
    assert not parsed.is_transient


def test_parses_xml_throttle_with_namespace() -> None:
    parsed = parse_fault(429, THROTTLE_XML.encode())
    assert parsed.codes == ("3001",)
    assert parsed.type == "SERVICE"
    assert parsed.is_throttle and parsed.is_transient


def test_historic_403_throttle_is_a_throttle_but_plain_403_is_auth() -> None:
    assert parse_fault(403, THROTTLE_XML.encode()).is_throttle
    plain = parse_fault(403, _body(fault("3100", "ApplicationAuthorizationFailed")))
    assert not plain.is_throttle
    assert isinstance(fault_to_error(plain, "invoice.read"), QuickBooksAuthError)


def test_code_embedded_in_message_is_found() -> None:
    body = {"fault": {"error": [{"message": "message=ThrottleExceeded; errorCode=003001"}]}}
    assert parse_fault(400, _body(body)).is_throttle


def test_lowercase_401_fault_is_auth_expired() -> None:
    body = {"fault": {"error": [{"message": "AuthenticationFailed", "code": "3200"}]}}
    parsed = parse_fault(401, _body(body))
    assert parsed.is_auth_expired
    assert not parsed.is_transient


def test_non_json_body_is_kept_as_excerpt() -> None:
    parsed = parse_fault(502, b"<html>Bad gateway</html>")
    assert parsed.is_server_error
    error = fault_to_error(parsed, "invoice.create")
    assert error.code is ErrorCode.QBO_UNAVAILABLE and error.retryable


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "2020", ErrorCode.QBO_VALIDATION),
        (400, "6000", ErrorCode.QBO_VALIDATION),
        (400, "6070", ErrorCode.QBO_VALIDATION),
        (400, "2050", ErrorCode.QBO_VALIDATION),
        (400, "1040", ErrorCode.QBO_VALIDATION),
        (400, "2500", ErrorCode.QBO_INVALID_REFERENCE),
        (400, "610", ErrorCode.QBO_NOT_FOUND),
        (400, "6140", ErrorCode.QBO_DUPLICATE_NUMBER),
        (400, "5010", ErrorCode.QBO_CONFLICT),
        (401, "3200", ErrorCode.QBO_AUTH),
        (429, "3001", ErrorCode.QBO_RATE_LIMITED),
        (503, "", ErrorCode.QBO_UNAVAILABLE),
        (404, "", ErrorCode.QBO_VALIDATION),
    ],
)
def test_fault_codes_map_to_stable_codes(status: int, code: str, expected: ErrorCode) -> None:
    error = fault_to_error(parse_fault(status, _body(fault(code))), "invoice.create")
    assert error.code is expected
    assert error.http_status == status
    assert error.retryable is (expected in (ErrorCode.QBO_RATE_LIMITED, ErrorCode.QBO_UNAVAILABLE))
    assert error.details["operation"] == "invoice.create"
    if code:
        assert error.fault_code == code.lstrip("0")
        assert error.details["fault_code"] == code


def test_duplicate_number_message_suggests_a_prefix() -> None:
    body = fault("6140", "Duplicate Document Number Error", "DocNumber=1001 is assigned to ...")
    error = fault_to_error(parse_fault(400, _body(body)), "invoice.create")
    assert "prefix" in error.message
    assert "DocNumber=1001" in error.message


def test_stale_object_has_its_own_type() -> None:
    error = fault_to_error(parse_fault(400, _body(fault("5010", "Stale Object Error"))), "x")
    assert isinstance(error, QuickBooksStaleObjectError)
    assert error.code is ErrorCode.QBO_CONFLICT and not error.retryable


def test_duplicate_display_name_is_exposed_distinctly() -> None:
    body = fault("6240", "Duplicate Name Exists Error", "The name supplied already exists.")
    error = fault_to_error(parse_fault(400, _body(body)), "customer.create")
    assert isinstance(error, QuickBooksDuplicateNameError)
    assert error.details["fault_code"] == "6240"
    assert error.code is ErrorCode.QBO_VALIDATION and not error.retryable


def test_invalid_reference_names_the_element() -> None:
    body = fault("2500", "Invalid Reference Id", "Item 99 is inactive", element="ItemRef")
    error = fault_to_error(parse_fault(400, _body(body)), "invoice.create")
    assert error.details["element"] == "ItemRef"
    assert "ItemRef" in error.message and "Item 99 is inactive" in error.message


def test_all_errors_are_kept_in_details() -> None:
    body = {
        "Fault": {
            "Error": [
                {"Message": "first", "Detail": "d1", "code": "6000"},
                {"Message": "second", "Detail": "d2", "code": "2500"},
            ]
        }
    }
    error = fault_to_error(parse_fault(400, _body(body)), "invoice.create")
    assert error.code is ErrorCode.QBO_INVALID_REFERENCE
    assert [e["code"] for e in error.details["errors"]] == ["6000", "2500"]


def test_error_str_and_repr_carry_code() -> None:
    error = fault_to_error(parse_fault(400, _body(fault("610", "Object Not Found"))), "op")
    assert str(error).startswith("QBO_NOT_FOUND: ")
    assert "QBO_NOT_FOUND" in repr(error)
