"""The nesting-depth guard of `parse_event`: deep JSON is refused before `json.loads`, and the
shortcut that skips the character walk for ordinary events changes no answer."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from services.contract.parsing import MAX_NESTING, ContractViolation, nesting_depth, parse_event
from services.contract.topics import Topic
from tests.support.factories import invoice_created


def _invoice(**changes: object) -> dict[str, object]:
    raw: dict[str, object] = json.loads(invoice_created("acme").model_dump_json())
    invoice = raw["invoice"]
    assert isinstance(invoice, dict)
    invoice.update(changes)
    return raw


def test_json_nested_deeper_than_the_limit_is_refused_as_too_deep() -> None:
    deep = "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
    raw = _invoice(memo="x")
    text = json.dumps(raw).replace('"memo": "x"', f'"memo": {deep}')
    with pytest.raises(ContractViolation) as info:
        parse_event(Topic.INVOICES, text.encode())
    assert info.value.error_class == "TooDeep"


def test_many_brackets_inside_strings_are_not_depth() -> None:
    brackets = "[{" * (MAX_NESTING + 5)
    text = json.dumps(_invoice(memo=brackets))
    assert nesting_depth(text) <= MAX_NESTING
    assert parse_event(Topic.INVOICES, text.encode()).invoice.memo == brackets


def test_more_brackets_than_the_limit_but_shallow_still_parses() -> None:
    invoice = _invoice()["invoice"]
    assert isinstance(invoice, dict)
    line = invoice["lines"][0]
    lines = [{**line, "line_id": f"l{n}"} for n in range(MAX_NESTING + 1)]
    total = sum(Decimal(str(item["amount"])) for item in lines)
    text = json.dumps(_invoice(lines=lines, total=str(total)))
    assert text.count("{") > MAX_NESTING
    assert len(parse_event(Topic.INVOICES, text.encode()).invoice.lines) == MAX_NESTING + 1
