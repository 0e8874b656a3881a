"""PostgreSQL adapters for the sync core's storage ports (`ports.py`). Each statement lives
in the module that owns its table; these classes only hold the pool and the transactions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import datetime

import asyncpg
import structlog

from services.platform.outbox import enqueue
from services.sync_worker.sync import cdc_state, claims, context, ledger, work_items
from services.sync_worker.sync.completion import (
    Completion,
    CreateRejected,
    InboundPublish,
    LedgerForget,
    LedgerRecord,
)
from services.sync_worker.sync.context import InvoiceContext
from services.sync_worker.sync.ledger import LedgerEntry
from services.sync_worker.sync.work_items import WorkItem
from services.sync_worker.tenants import repository as tenants

log = structlog.get_logger(__name__)


async def apply_completion(conn: asyncpg.Connection, completion: Completion) -> None:
    """Everything a finished unit leaves behind; runs inside the caller's transaction."""
    await apply_completions(conn, [completion])


async def apply_completions(conn: asyncpg.Connection, done: Sequence[Completion]) -> None:
    """What finished units leave behind. The common end (one ledger record, results) is
    written set-based for the whole group; anything else in order, unit by unit. Units of
    one group are for different invoices, so the order between them does not matter."""
    simple = [c for c in done if _only_records(c)]
    records = [w for c in simple for w in c.ledger if isinstance(w, LedgerRecord)]
    await ledger.record_writes(conn, records)
    for completion in done:
        if not _only_records(completion):
            await _apply_state(conn, completion)
    await enqueue(conn, [message for completion in done for message in completion.results])


def _only_records(completion: Completion) -> bool:
    return (
        len(completion.ledger) <= 1
        and all(isinstance(w, LedgerRecord) for w in completion.ledger)
        and not completion.inbound
        and completion.cdc_cursor is None
    )


async def _apply_state(conn: asyncpg.Connection, completion: Completion) -> None:
    for write in completion.ledger:
        if isinstance(write, LedgerRecord):
            await ledger.record_write(conn, write)
        elif isinstance(write, LedgerForget):
            await ledger.forget_deleted(conn, write.tenant_id, write.invoice_id, write.generation)
        elif isinstance(write, CreateRejected):
            await ledger.reject_create(conn, write.tenant_id, write.invoice_id, write.generation)
    for change in completion.inbound:
        if await _publish_once(conn, change):
            await enqueue(conn, [change.message])
            log.info("quickbooks_change_published", tenant_id=change.tenant_id)
    if completion.cdc_cursor is not None:
        await cdc_state.save_cursor(conn, completion.cdc_cursor.tenant_id, completion.cdc_cursor.at)


async def _publish_once(conn: asyncpg.Connection, change: InboundPublish) -> bool:
    if await work_items.outbound_in_flight(conn, change.tenant_id, change.invoice_id):
        return False  # our own write's SyncToken is not known yet: cannot tell it apart
    return await ledger.record_inbound_if_new(
        conn, change.tenant_id, change.invoice_id, change.sync_token, change.status
    )


class PgOutboundStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def load_context(self, tenant_id: str, invoice_id: str) -> InvoiceContext:
        async with self._pool.acquire() as conn:
            return await context.load(conn, tenant_id, invoice_id)

    async def mark_create_pending(
        self, tenant_id: str, invoice_id: str, realm_id: str, generation: int
    ) -> None:
        async with self._pool.acquire() as conn:
            await ledger.mark_create_pending(conn, tenant_id, invoice_id, realm_id, generation)

    async def customer_link(self, tenant_id: str, customer_id: str, realm_id: str) -> str | None:
        async with self._pool.acquire() as conn:
            return await ledger.customer_link(conn, tenant_id, customer_id, realm_id)

    async def save_customer_link(self, link: ledger.CustomerLink) -> None:
        async with self._pool.acquire() as conn:
            await ledger.save_customer_link(conn, link)


class PgInboundStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def manual_push(self, tenant_id: str) -> bool:
        async with self._pool.acquire() as conn:
            return (await tenants.get_settings(conn, tenant_id)).manual_push

    async def ledger_by_external_id(
        self, tenant_id: str, realm_id: str, external_id: str
    ) -> LedgerEntry | None:
        async with self._pool.acquire() as conn:
            return await ledger.by_external_id(conn, tenant_id, realm_id, external_id)

    async def outbound_in_flight(self, tenant_id: str, invoice_id: str) -> bool:
        async with self._pool.acquire() as conn:
            return await work_items.outbound_in_flight(conn, tenant_id, invoice_id)

    async def cdc_cursor(self, tenant_id: str) -> datetime | None:
        async with self._pool.acquire() as conn:
            return await cdc_state.cursor(conn, tenant_id)


class PgWorkQueue:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @asynccontextmanager
    async def listen(self, on_ready: Callable[[], None]) -> AsyncIterator[None]:
        def callback(*_args: object) -> None:
            on_ready()

        async with self._pool.acquire() as listener:
            await listener.add_listener(work_items.NOTIFY_CHANNEL, callback)
            try:
                yield
            finally:
                with suppress(Exception):
                    await listener.remove_listener(work_items.NOTIFY_CHANNEL, callback)

    async def claim_ready(self, request: claims.ClaimRequest) -> list[WorkItem]:
        async with self._pool.acquire() as conn:
            return await claims.claim_ready(conn, request)

    async def extend_leases(
        self, held: list[tuple[int, int]], *, worker_id: str, lease_seconds: float
    ) -> None:
        async with self._pool.acquire() as conn:
            await work_items.extend_leases(
                conn, held, worker_id=worker_id, lease_seconds=lease_seconds
            )

    async def recover_expired_leases(self) -> int:
        async with self._pool.acquire() as conn:
            return await work_items.recover_expired_leases(conn)

    async def finish(self, item: WorkItem, completion: Completion, *, worker_id: str) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            outcome = str(completion.outcome)
            if not await work_items.finish(conn, item, worker_id=worker_id, outcome=outcome):
                return False
            await apply_completion(conn, completion)
            return True

    async def finish_many(
        self, finished: Sequence[tuple[WorkItem, Completion]], *, worker_id: str
    ) -> set[int]:
        async with self._pool.acquire() as conn, conn.transaction():
            held = await work_items.finish_many(
                conn, [(item, str(done.outcome)) for item, done in finished], worker_id=worker_id
            )
            await apply_completions(conn, [done for item, done in finished if item.id in held])
            return held

    async def retry_later(
        self, item: WorkItem, *, worker_id: str, delay_seconds: float, count_attempt: bool
    ) -> bool:
        async with self._pool.acquire() as conn:
            return await work_items.retry_later(
                conn,
                item,
                worker_id=worker_id,
                delay_seconds=delay_seconds,
                count_attempt=count_attempt,
            )

    async def release(self, held: list[tuple[int, int]], *, worker_id: str) -> None:
        async with self._pool.acquire() as conn:
            await work_items.release(conn, held, worker_id=worker_id)

    async def schedule_cdc_sweeps(self, delay_seconds: float) -> None:
        async with self._pool.acquire() as conn:
            for tenant_id in await tenants.connected_two_way_tenants(conn):
                await work_items.schedule_cdc(conn, tenant_id, delay_seconds)
