"""Server-sent events of a batch's progress."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from services.gateway.auth.dependencies import CurrentPrincipal, require
from services.gateway.auth.principal import Role
from services.gateway.events.sse import parse_last_event_id
from services.gateway.events.stream import batch_event_stream
from services.gateway.http.deps import Feeds, Settings
from services.gateway.http.params import BatchId, TenantId
from services.gateway.http.problems import Problem
from services.gateway.observability import metrics

router = APIRouter(prefix="/v1/tenants/{tenant_id}/push-batches", tags=["push batches"])

_DESCRIPTION = """`text/event-stream`. Events:

* `snapshot`: the batch's progress (as GET push-batch) when the stream opens;
* `invoice`: one invoice got a result (`id:` is the batch's change sequence);
* `progress`: the batch's total became known (a batch seen first through its results);
* `end`: the batch is complete (final progress); the server then closes the stream.

Reconnect with `Last-Event-ID` (or `?last_event_id=`) to get every change after it.
"""


@router.get(
    "/{batch_id}/events",
    response_class=StreamingResponse,
    description=_DESCRIPTION,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Event stream."}},
)
async def batch_events(
    tenant_id: TenantId,
    batch_id: BatchId,
    principal: CurrentPrincipal,
    feeds: Feeds,
    settings: Settings,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    last_event_id: Annotated[str | None, Query(max_length=20)] = None,
) -> StreamingResponse:
    require(principal, tenant_id, Role.READ, batch_id)
    # Opening the batch's feed here checks the batch exists; the stream reuses the feed.
    async with feeds.open(tenant_id, batch_id) as feed:
        if feed.row is None:
            raise Problem(404, "Not Found", f"No batch {batch_id} for this tenant.")
    resume_from = parse_last_event_id(last_event_id_header or last_event_id)

    async def stream() -> AsyncIterator[str]:
        metrics.SSE_CLIENTS.inc()
        try:
            async for chunk in batch_event_stream(
                feeds,
                tenant_id=tenant_id,
                batch_id=batch_id,
                last_event_id=resume_from,
                keepalive_seconds=settings.gateway_sse_keepalive_seconds,
            ):
                yield chunk
        finally:
            metrics.SSE_CLIENTS.dec()

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
