from __future__ import annotations

import json

import pytest

from services.contract.invoices import InvoiceUpdated
from services.contract.parsing import ContractViolation, parse_event
from services.contract.topics import Topic
from tests.support.factories import invoice_created


def test_valid_event_parses_to_its_model() -> None:
    event = invoice_created("acme")
    parsed = parse_event(Topic.INVOICES, event.model_dump_json().encode())
    assert parsed == event


def test_discriminator_picks_the_event_type() -> None:
    raw = json.loads(invoice_created("acme").model_dump_json())
    raw["event_type"] = "invoice.updated"
    assert isinstance(parse_event(Topic.INVOICES, json.dumps(raw).encode()), InvoiceUpdated)


@pytest.mark.parametrize(
    ("raw", "error_class", "fragment"),
    [
        (b"{not json", "InvalidJson", "not valid JSON"),
        (b"\xff\xfe", "InvalidEncoding", "not UTF-8"),
        (None, "EmptyMessage", "tombstone"),
        (b'{"event_type": "invoice.exploded"}', "ContractViolation", "event_type"),
        (b"[]", "ContractViolation", "<root>"),
    ],
)
def test_bad_bytes_name_the_reason(raw: bytes | None, error_class: str, fragment: str) -> None:
    with pytest.raises(ContractViolation) as info:
        parse_event(Topic.INVOICES, raw)
    assert info.value.error_class == error_class
    assert fragment in info.value.message


def test_contract_violation_names_the_field() -> None:
    raw = json.loads(invoice_created("acme").model_dump_json())
    del raw["invoice"]["number"]
    raw["tenant_id"] = "has space"
    with pytest.raises(ContractViolation) as info:
        parse_event(Topic.INVOICES, json.dumps(raw).encode())
    assert "invoice.number: Field required" in info.value.message
    assert "tenant_id" in info.value.message


def test_event_on_the_wrong_topic_is_a_violation() -> None:
    with pytest.raises(ContractViolation):
        parse_event(Topic.SETTINGS, invoice_created("acme").model_dump_json().encode())


def test_a_lone_surrogate_escape_is_a_violation_naming_the_field() -> None:
    """pydantic's own JSON reader refuses the escape; the standard reading names the field."""
    raw = json.loads(invoice_created("acme").model_dump_json())
    raw["invoice"]["customer"]["display_name"] = "a\ud800b"
    with pytest.raises(ContractViolation) as info:
        parse_event(Topic.INVOICES, json.dumps(raw).encode())
    assert info.value.error_class == "ContractViolation"
    assert "invoice.customer.display_name" in info.value.message
