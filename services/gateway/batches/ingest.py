"""Applying consumed push requests and results to a batch, under the batch's row lock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from uuid import UUID

import asyncpg
import structlog

from services.contract.push import PushRequested
from services.contract.results import SyncResult
from services.gateway.batches import invoice_rows
from services.gateway.batches import repository as repo
from services.gateway.batches.model import STATUS_BY_EVENT_TYPE, batch_state, is_complete
from services.gateway.batches.results import InvoiceChange, InvoiceResult, apply_results
from services.gateway.batches.schemas import (
    InvoiceChangeEvent,
    ProgressChangeEvent,
)
from services.gateway.batches.views import counts_body, invoice_body, percent

log = structlog.get_logger(__name__)


async def apply_push_request(conn: asyncpg.Connection, event: PushRequested, now: datetime) -> None:
    """Tracks a batch from either door; the API's own event coming back changes nothing."""
    created = await repo.create_batch(
        conn,
        batch_id=event.batch_id,
        tenant_id=event.tenant_id,
        invoice_ids=event.invoice_ids,
        origin="kafka",
        requested_by=event.requested_by,
        started_at=event.occurred_at,
        now=now,
    )
    if created:
        return
    row = await repo.lock_batch(conn, event.batch_id)
    if row is None or row.tenant_id != event.tenant_id:
        log.warning("push_request_tenant_mismatch", batch_id=str(event.batch_id))
        return
    if row.request_seen:
        return
    total = len(event.invoice_ids)
    await invoice_rows.insert_invoices(conn, event.batch_id, event.invoice_ids)
    await repo.mark_request_seen(
        conn,
        batch_id=event.batch_id,
        total=total,
        requested_by=event.requested_by,
        requested_at=event.occurred_at,
    )
    counts = row.counts
    seq = row.last_seq + 1
    change = ProgressChangeEvent(
        batch_id=event.batch_id,
        seq=seq,
        state=batch_state(total, counts),
        counts=counts_body(total, counts),
        percent=percent(total, counts),
    )
    await repo.append_changes(conn, event.batch_id, [(seq, "progress", change.model_dump_json())])
    await repo.save_progress(
        conn,
        batch_id=event.batch_id,
        counts=counts,
        last_seq=seq,
        complete=is_complete(total, counts),
        now=now,
        had_results=False,
    )


async def apply_batch_results(
    conn: asyncpg.Connection, batch_id: UUID, events: Sequence[SyncResult], now: datetime
) -> int:
    """Upserts results keyed by (batch, invoice); returns how many rows changed."""
    first = events[0]
    await repo.ensure_batch_for_result(
        conn, batch_id=batch_id, tenant_id=first.tenant_id, total=first.batch_size, now=now
    )
    row = await repo.lock_batch(conn, batch_id)
    assert row is not None
    incoming = [to_invoice_result(e) for e in events if e.tenant_id == row.tenant_id]
    if len(incoming) != len(events):
        log.warning("result_tenant_mismatch", batch_id=str(batch_id))
    if not incoming:
        return 0
    stored = await invoice_rows.stored_results(conn, batch_id, [r.invoice_id for r in incoming])
    applied = apply_results(stored, incoming, counts=row.counts, last_seq=row.last_seq)
    if not applied.changes:
        return 0
    total = row.total
    await invoice_rows.write_results(conn, batch_id, applied.changes)
    await repo.append_changes(
        conn,
        batch_id,
        [
            (c.seq, "invoice", change_event(batch_id, total, c).model_dump_json())
            for c in applied.changes
        ],
    )
    await repo.save_progress(
        conn,
        batch_id=batch_id,
        counts=applied.counts,
        last_seq=applied.last_seq,
        complete=is_complete(total, applied.counts),
        now=now,
        had_results=True,
    )
    return len(applied.changes)


def to_invoice_result(event: SyncResult) -> InvoiceResult:
    error = event.error
    return InvoiceResult(
        invoice_id=event.invoice_id,
        status=STATUS_BY_EVENT_TYPE[event.event_type],
        event_id=event.event_id,
        occurred_at=event.occurred_at,
        external_id=event.external_id,
        external_number=event.external_number,
        error_code=error.code.value if error else None,
        error_message=error.message if error else None,
        error_retryable=error.retryable if error else None,
        number=event.number,
        customer_name=event.customer_name,
        amount=event.amount,
        currency=event.currency,
    )


def change_event(batch_id: UUID, total: int | None, change: InvoiceChange) -> InvoiceChangeEvent:
    # This change in the columns of a batch invoice row (`invoice_rows.write_results`).
    row = {**asdict(change.result), "result_at": change.result.occurred_at, "seq": change.seq}
    return InvoiceChangeEvent(
        batch_id=batch_id,
        seq=change.seq,
        previous_status=change.previous,
        invoice=invoice_body(row),
        state=batch_state(total, change.counts),
        counts=counts_body(total, change.counts),
        percent=percent(total, change.counts),
    )
