"""Rows to unnest arrays: one array per named column, in row order, enums as their values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pytest

from services.platform.unnest_columns import unnest_columns


class _State(StrEnum):
    OPEN = "open"
    DONE = "done"


@dataclass(frozen=True)
class _Unit:
    invoice_id: str
    version: int | None
    state: _State


def test_one_array_per_name_in_row_order_with_enum_values() -> None:
    rows = [_Unit("i-2", 3, _State.DONE), _Unit("i-1", None, _State.OPEN)]
    columns = unnest_columns(rows, "state", "invoice_id", "version")
    assert columns == [["done", "open"], ["i-2", "i-1"], [3, None]]
    assert all(type(v) is str for v in columns[0])


def test_no_rows_give_empty_arrays_and_an_unknown_name_is_an_error() -> None:
    assert unnest_columns([], "invoice_id", "version") == [[], []]
    with pytest.raises(AttributeError, match="versions"):
        unnest_columns([_Unit("i-1", 1, _State.OPEN)], "versions")
