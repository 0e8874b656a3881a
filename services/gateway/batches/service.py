"""Sending a batch: the batch rows and its push.requested commit together (outbox).

A batch whose push.requested would exceed the topic's record limit (10,000 long,
multi-byte ids can) goes out as several push.requested events of the same batch, each
within the limit: the worker queues units per (batch, invoice), so parts add up to the
whole batch, and the gateway already holds the whole batch from this transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID, uuid4

import asyncpg

from services.contract.common import utc_now
from services.contract.limits import MAX_MESSAGE_BYTES
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
    principal: str,
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
    messages = [
        event_message(Topic.PUSH_REQUESTS.value, tenant_key(tenant_id), part)
        for part in split_to_fit(event)
    ]
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
            principal=principal,
        )
        await enqueue(conn, messages)
    return event.batch_id


def split_to_fit(event: PushRequested, limit: int = MAX_MESSAGE_BYTES // 2) -> list[PushRequested]:
    """The event itself, or parts of it (same batch, own event ids) each under `limit` bytes
    of JSON. Half the topic limit leaves room for headers and framing."""
    if len(event.model_dump_json().encode()) <= limit:
        return [event]
    envelope = len(event.model_copy(update={"invoice_ids": []}).model_dump_json().encode())
    parts: list[list[str]] = [[]]
    size = envelope
    for invoice_id in event.invoice_ids:
        cost = len(json.dumps(invoice_id, ensure_ascii=False).encode()) + 1
        if parts[-1] and size + cost > limit:
            parts.append([])
            size = envelope
        parts[-1].append(invoice_id)
        size += cost
    return [event.model_copy(update={"event_id": uuid4(), "invoice_ids": ids}) for ids in parts]
