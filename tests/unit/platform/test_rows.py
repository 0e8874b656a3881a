"""Rows to dataclasses: every field from its column, converted ones given, mistakes loud; and
objects to unnest() column arrays."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pytest

from services.platform.rows import json_column, record_of, unnest_arrays


@dataclass(frozen=True)
class _Entry:
    invoice_id: str
    attempts: int
    payload: dict[str, int]


def test_fields_come_from_their_columns_and_converted_ones_win() -> None:
    row = {"invoice_id": "i-1", "attempts": 2, "payload": '{"a": 1}', "extra": "ignored"}
    entry = record_of(_Entry, row, payload=json_column(row["payload"]))
    assert entry == _Entry("i-1", 2, {"a": 1})


def test_a_missing_column_or_a_converted_value_for_no_field_is_an_error() -> None:
    with pytest.raises(KeyError, match="attempts"):
        record_of(_Entry, {"invoice_id": "i-1", "payload": {}})
    with pytest.raises(TypeError, match="payloads"):
        record_of(_Entry, {"invoice_id": "i-1", "attempts": 1, "payload": {}}, payloads={})


def test_json_columns_arrive_as_text_or_decoded() -> None:
    assert json_column('{"a": [1]}') == {"a": [1]}
    assert json_column({"a": [1]}) == {"a": [1]}
    assert json_column(None) is None


def test_unnest_arrays_are_one_per_name_in_item_order_with_conversions_applied() -> None:
    entries = [_Entry("i-1", 1, {"a": 1}), _Entry("i-2", 3, {})]
    arrays = unnest_arrays(entries, "attempts", "invoice_id", "payload", payload=len)
    assert arrays == [[1, 3], ["i-1", "i-2"], [1, 0]]
    assert unnest_arrays([], "attempts", "invoice_id") == [[], []]


def test_unnest_arrays_refuse_a_conversion_for_no_named_column() -> None:
    with pytest.raises(TypeError, match="payloads"):
        unnest_arrays([_Entry("i-1", 1, {})], "payload", payloads=len)


class _State(StrEnum):
    OPEN = "open"
    DONE = "done"


@dataclass(frozen=True)
class _Unit:
    invoice_id: str
    state: _State


def test_unnest_arrays_give_enums_as_their_values_and_refuse_an_unknown_name() -> None:
    arrays = unnest_arrays([_Unit("i-2", _State.DONE), _Unit("i-1", _State.OPEN)], "state")
    assert arrays == [["done", "open"]]
    assert all(type(v) is str for v in arrays[0])
    with pytest.raises(AttributeError, match="states"):
        unnest_arrays([_Unit("i-1", _State.OPEN)], "states")
