"""The ops page's event stream: an `overview` event whenever the numbers change."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from services.gateway.events.sse import sse_comment, sse_event, sse_retry
from services.gateway.ops.schemas import OpsOverview


async def overview_stream(
    read: Callable[[], Awaitable[OpsOverview]], first: OpsOverview, *, refresh_seconds: float
) -> AsyncIterator[str]:
    """Sends `first` at once, then the overview again only when something other than its
    timestamp changed; a comment keeps idle connections open. The caller reads `first`
    before the response starts, so a database outage is still a 503, not a broken stream."""
    yield sse_retry(3000)
    last = ""
    overview = first
    while True:
        compared = overview.model_dump_json(exclude={"generated_at"})
        if compared != last:
            last = compared
            yield sse_event(overview.model_dump_json(), event="overview")
        else:
            yield sse_comment("keepalive")
        await asyncio.sleep(refresh_seconds)
        overview = await read()
