"""One resource of a tenant for a route: the row, or a 404 that does not say whether it
exists for another tenant."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from services.gateway.http.problems import Problem

T = TypeVar("T")


async def one_or_404(
    pool: asyncpg.Pool, read: Callable[[asyncpg.Connection], Awaitable[T | None]], missing: str
) -> T:
    """What `read` finds; else 404 "No `missing` for this tenant." (e.g. "batch <id>")."""
    async with pool.acquire() as conn:
        found = await read(conn)
    if found is None:
        raise Problem(404, "Not Found", f"No {missing} for this tenant.")
    return found
