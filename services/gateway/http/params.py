"""Path and paging parameters shared by the routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import Path, Query

from services.contract.common import TENANT_ID_PATTERN
from services.gateway.http.problems import Problem

T = TypeVar("T")

TenantId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=TENANT_ID_PATTERN,
        description="MediaOS account id (as in the event contract).",
    ),
]
BatchId = Annotated[UUID, Path(description="Batch id returned by POST push-batches.")]

# Keyset pagination: `limit` rows a page, `cursor` from the previous page's `next_cursor`.
PageLimit = Annotated[int, Query(ge=1, le=1000)]
PageCursor = Annotated[str | None, Query(max_length=400, description="`next_cursor`.")]


def page_after(cursor: str | None, decode: Callable[[str], T]) -> T | None:
    """The key the page starts after (None: the first page). `decode` raises ValueError for
    a cursor this API did not return, which is a 400."""
    if not cursor:
        return None
    try:
        return decode(cursor)
    except ValueError as exc:
        raise Problem(400, "Invalid cursor", "the cursor is not one this API returned") from exc
