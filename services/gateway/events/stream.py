"""One client's event stream of a batch: snapshot, changes (replayable by id), end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg

from services.contract.common import utc_now
from services.gateway.batches import repository as repo
from services.gateway.batches.views import progress_body
from services.gateway.events.notifier import ChangeNotifier
from services.gateway.events.sse import sse_comment, sse_event, sse_retry

_PAGE = 500
RETRY_MILLISECONDS = 2000


async def batch_event_stream(
    pool: asyncpg.Pool,
    notifier: ChangeNotifier,
    *,
    tenant_id: str,
    batch_id: UUID,
    last_event_id: int | None,
    keepalive_seconds: float,
) -> AsyncIterator[str]:
    """`snapshot` first (with the current sequence as id unless resuming), then every
    `invoice`/`progress` change after the client's last id, then `end` once complete."""
    with notifier.subscribe(batch_id) as wake:
        async with pool.acquire() as conn:
            row = await repo.get_batch(conn, tenant_id, batch_id)
        if row is None:
            return
        snapshot = progress_body(row, utc_now()).model_dump_json()
        yield sse_retry(RETRY_MILLISECONDS)
        if last_event_id is None:
            sent = row["last_seq"]
            yield sse_event(snapshot, event="snapshot", event_id=sent)
        else:
            # Resuming: no id on the snapshot, so a drop now resumes from the same place.
            sent = min(last_event_id, row["last_seq"])
            yield sse_event(snapshot, event="snapshot")
        while True:
            wake.clear()
            async with pool.acquire() as conn:
                row = await repo.get_batch(conn, tenant_id, batch_id)
                changes = await repo.changes_after(conn, batch_id, sent, _PAGE)
            assert row is not None
            for change in changes:
                sent = change["seq"]
                yield sse_event(change["payload"], event=change["kind"], event_id=sent)
            if len(changes) == _PAGE:
                continue
            if row["completed_at"] is not None and sent >= row["last_seq"]:
                yield sse_event(progress_body(row, utc_now()).model_dump_json(), event="end")
                return
            try:
                await asyncio.wait_for(wake.wait(), keepalive_seconds)
            except TimeoutError:
                yield sse_comment("keepalive")
