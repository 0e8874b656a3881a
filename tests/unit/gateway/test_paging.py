"""Keyset paging of the gateway's lists (pure)."""

from __future__ import annotations

import pytest

from services.gateway.batches.cursor import decode_position_cursor, encode_position_cursor
from services.gateway.http.paging import page_after, page_of
from services.gateway.http.problems import Problem


def test_the_extra_row_decides_whether_a_cursor_follows() -> None:
    assert page_of([1, 2, 3], 2, str) == ([1, 2], "2")
    assert page_of([1, 2], 2, str) == ([1, 2], None)
    assert page_of([], 2, str) == ([], None)


def test_page_after_decodes_the_cursor_and_refuses_a_foreign_one_with_400() -> None:
    assert page_after(None, decode_position_cursor) is None
    assert page_after(encode_position_cursor(0), decode_position_cursor) == 0
    for foreign in ("garbage", "MTA=", encode_position_cursor(3)[:-1] + "!"):
        with pytest.raises(Problem) as refused:
            page_after(foreign, decode_position_cursor)
        assert refused.value.status == 400
