"""One client's event stream of a batch: snapshot, changes (replayable by id), end.

Everything comes from the batch's shared feed (`feed.py`); a stream reads the database
only while it is behind the feed's buffer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import UUID

from services.contract.common import utc_now
from services.gateway.batches.views import progress_body
from services.gateway.events.feed import FeedRegistry
from services.gateway.events.sse import sse_comment, sse_event, sse_retry

RETRY_MILLISECONDS = 2000


async def batch_event_stream(
    feeds: FeedRegistry,
    *,
    tenant_id: str,
    batch_id: UUID,
    last_event_id: int | None,
    keepalive_seconds: float,
) -> AsyncIterator[str]:
    """`snapshot` first (with the current sequence as id unless resuming), then every
    `invoice`/`progress` change after the client's last id, then `end` once complete."""
    async with feeds.open(tenant_id, batch_id) as feed:
        with feed.wake_on_change() as wake:
            row = feed.row
            if row is None:
                return
            snapshot = progress_body(row, utc_now()).model_dump_json()
            yield sse_retry(RETRY_MILLISECONDS)
            if last_event_id is None:
                sent = row.last_seq
                yield sse_event(snapshot, event="snapshot", event_id=sent)
            else:
                # Resuming: no id on the snapshot, so a drop now resumes from the same place.
                sent = min(last_event_id, row.last_seq)
                yield sse_event(snapshot, event="snapshot")
            while True:
                wake.clear()
                if feed.buffer.behind(sent):
                    chunk, sent = await feed.read_page(sent)
                    if chunk:
                        yield chunk
                    continue
                # The row and the buffer were updated together: `end` needs both to agree.
                row = feed.row
                if row is None:
                    return
                chunk, sent = feed.buffer.since(sent)
                if chunk:
                    yield chunk
                if row.completed_at is not None and sent >= row.last_seq:
                    yield sse_event(progress_body(row, utc_now()).model_dump_json(), event="end")
                    return
                try:
                    await asyncio.wait_for(wake.wait(), keepalive_seconds)
                except TimeoutError:
                    yield sse_comment("keepalive")
