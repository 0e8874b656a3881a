"""Keyset paging of the gateway's lists, and the 404 lookup of one resource."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from services.gateway.batches.cursor import decode_position_cursor, encode_position_cursor
from services.gateway.http.lookup import one_or_404
from services.gateway.http.paging import PageRequest, page_after, page_of
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


class _Pool:
    """Hands out one marker connection and counts the acquisitions."""

    def __init__(self) -> None:
        self.connection = object()
        self.acquired = 0

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[object]:
        self.acquired += 1
        yield self.connection


async def test_a_page_read_asks_for_one_row_more_after_the_decoded_cursor() -> None:
    pool = _Pool()
    asked: list[tuple[object, int | None, int]] = []

    async def fetch(conn: object, after: int | None, limit: int) -> list[int]:
        asked.append((conn, after, limit))
        return [after + 1 + i for i in range(limit)] if after is not None else []

    request = PageRequest(limit=2, cursor=encode_position_cursor(4))
    rows, next_cursor = await request.read(
        pool,  # type: ignore[arg-type]
        decode_position_cursor,
        fetch,  # type: ignore[arg-type]
        encode_position_cursor,
    )
    assert asked == [(pool.connection, 4, 3)]
    assert list(rows) == [5, 6] and next_cursor == encode_position_cursor(6)


async def test_a_foreign_cursor_is_a_400_before_anything_is_read() -> None:
    pool = _Pool()

    async def fetch(conn: object, after: object, limit: int) -> list[int]:
        raise AssertionError("read despite a foreign cursor")

    with pytest.raises(Problem) as refused:
        await PageRequest(limit=2, cursor="garbage").read(
            pool,  # type: ignore[arg-type]
            decode_position_cursor,
            fetch,  # type: ignore[arg-type]
            encode_position_cursor,
        )
    assert refused.value.status == 400 and pool.acquired == 0


async def test_one_or_404_answers_what_was_found_else_a_tenant_scoped_404() -> None:
    pool = _Pool()

    async def found(conn: object) -> str:
        return "row"

    async def missing(conn: object) -> None:
        return None

    assert await one_or_404(pool, found, "batch b-1") == "row"  # type: ignore[arg-type]
    with pytest.raises(Problem) as refused:
        await one_or_404(pool, missing, "batch b-1")  # type: ignore[arg-type]
    assert refused.value.status == 404
    assert str(refused.value) == "No batch b-1 for this tenant."
