"""Keyset pagination of the API's lists: `limit` rows a page, then `next_cursor`, an opaque
key of the page's last row (`batches.cursor`), which the next request sends as `cursor`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

import asyncpg
from fastapi import Depends, Query

from services.gateway.http.problems import Problem

K = TypeVar("K")
R = TypeVar("R")

PageCursor = Annotated[str | None, Query(max_length=400, description="`next_cursor`.")]


def page_after(cursor: str | None, decode: Callable[[str], K]) -> K | None:
    """The key the page starts after (None: the first page). `decode` raises ValueError for
    a cursor this API did not return, which is a 400."""
    if not cursor:
        return None
    try:
        return decode(cursor)
    except ValueError as exc:
        raise Problem(400, "Invalid cursor", "the cursor is not one this API returned") from exc


def page_of(
    rows: Sequence[R], limit: int, cursor_of: Callable[[R], str]
) -> tuple[Sequence[R], str | None]:
    """`rows` read with `limit + 1`: the page, and the cursor after its last row when the
    extra row shows that more follow."""
    page = rows[:limit]
    return page, cursor_of(page[-1]) if len(rows) > limit else None


@dataclass(frozen=True, slots=True)
class PageRequest:
    """The `limit` and `cursor` a list was asked with."""

    limit: int
    cursor: str | None

    async def read(
        self,
        pool: asyncpg.Pool,
        decode: Callable[[str], K],
        fetch: Callable[[asyncpg.Connection, K | None, int], Awaitable[Sequence[R]]],
        cursor_of: Callable[[R], str],
    ) -> tuple[Sequence[R], str | None]:
        """The page's rows and `next_cursor`: `fetch(conn, after, limit)` reads the rows after
        the decoded cursor, asked for one more than the page holds."""
        after = page_after(self.cursor, decode)
        async with pool.acquire() as conn:
            rows = await fetch(conn, after, self.limit + 1)
        return page_of(rows, self.limit, cursor_of)


def _page_request(
    limit: Annotated[int, Query(ge=1, le=1000)] = 100, cursor: PageCursor = None
) -> PageRequest:
    return PageRequest(limit, cursor)


Paging = Annotated[PageRequest, Depends(_page_request)]
