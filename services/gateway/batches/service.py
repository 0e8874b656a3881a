"""Sending a batch: the batch rows and its push.requested commit together (outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID, uuid4

import asyncpg

from services.contract.common import utc_now
from services.contract.push import PushRequested
from services.contract.topics import Topic, tenant_key
from services.gateway.batches import repository as repo
from services.platform.outbox import enqueue, event_message


async def submit_batch(
    pool: asyncpg.Pool,
    *,
    tenant_id: str,
    invoice_ids: Sequence[str],
    requested_by: str,
    retry_of: UUID | None = None,
) -> UUID:
    """Records the batch and enqueues its event in ONE transaction: nothing half-published."""
    now = utc_now()
    event = PushRequested(
        tenant_id=tenant_id,
        batch_id=uuid4(),
        invoice_ids=list(invoice_ids),
        requested_by=requested_by,
        occurred_at=now,
    )
    async with pool.acquire() as conn, conn.transaction():
        await repo.create_batch(
            conn,
            batch_id=event.batch_id,
            tenant_id=tenant_id,
            invoice_ids=event.invoice_ids,
            origin="api",
            requested_by=requested_by,
            started_at=now,
            now=now,
            retry_of=retry_of,
        )
        await enqueue(
            conn, [event_message(Topic.PUSH_REQUESTS.value, tenant_key(tenant_id), event)]
        )
    return event.batch_id
