"""`invoice_ledger` SQL and the completion adapter: create-pending, rejection, writes,
inbound changes published once."""

from __future__ import annotations

import asyncpg
import pytest

from services.platform.outbox import OutboxMessage
from services.sync_worker.sync import claims, ledger, work_items
from services.sync_worker.sync.claims import ClaimRequest
from services.sync_worker.sync.completion import (
    Completion,
    CreateRejected,
    InboundPublish,
    LedgerRecord,
    LedgerStatus,
    OutcomeKind,
)
from services.sync_worker.sync.store import apply_completion

pytestmark = pytest.mark.integration


def _record(tenant: str, generation: int = 0, token: str = "0") -> LedgerRecord:
    return LedgerRecord(
        tenant_id=tenant,
        invoice_id="i1",
        realm_id="r1",
        generation=generation,
        external_id="Q1",
        external_number="1001",
        sync_token=token,
        synced_version=1,
        status=LedgerStatus.ACTIVE,
        fingerprint={"doc_number": "1001"},
    )


async def test_a_rejected_create_moves_to_the_next_generation(
    conn: asyncpg.Connection, tenant: str
) -> None:
    await ledger.mark_create_pending(conn, tenant, "i1", "r1", 0)
    entry = await ledger.get(conn, tenant, "i1")
    assert entry is not None and entry.create_pending and entry.generation == 0
    completion = Completion.of(OutcomeKind.FAILED, "QBO_DUPLICATE_NUMBER")
    completion.ledger.append(CreateRejected(tenant, "i1", 0))
    await apply_completion(conn, completion)
    await apply_completion(conn, completion)  # replayed: still one step
    entry = await ledger.get(conn, tenant, "i1")
    assert entry is not None and (entry.generation, entry.create_pending) == (1, False)


async def test_a_rejection_never_moves_a_recorded_invoice(
    conn: asyncpg.Connection, tenant: str
) -> None:
    await ledger.record_write(conn, _record(tenant))
    await ledger.reject_create(conn, tenant, "i1", 0)
    entry = await ledger.get(conn, tenant, "i1")
    assert entry is not None and (entry.generation, entry.external_id) == (0, "Q1")


async def test_a_write_clears_the_pending_marker(conn: asyncpg.Connection, tenant: str) -> None:
    await ledger.mark_create_pending(conn, tenant, "i1", "r1", 0)
    await ledger.record_write(conn, _record(tenant))
    entry = await ledger.by_external_id(conn, tenant, "r1", "Q1")
    assert entry is not None and not entry.create_pending
    assert entry.status is LedgerStatus.ACTIVE and entry.fingerprint == {"doc_number": "1001"}
    await ledger.forget_deleted(conn, tenant, "i1", 1)
    gone = await ledger.get(conn, tenant, "i1")
    assert gone is not None and (gone.status, gone.external_id, gone.generation) == (
        LedgerStatus.DELETED,
        None,
        1,
    )


async def _outbox_rows(conn: asyncpg.Connection, key: bytes) -> int:
    count: int = await conn.fetchval("SELECT count(*) FROM outbox WHERE key = $1", key)
    return count


async def test_an_inbound_change_is_published_once_and_never_our_own(
    conn: asyncpg.Connection, tenant: str
) -> None:
    await ledger.record_write(conn, _record(tenant, token="3"))
    key = f"{tenant}:i1".encode()
    message = OutboxMessage("quickbooks.invoice-changes.v1", key, b"{}")

    def change(token: str) -> Completion:
        completion = Completion.of(OutcomeKind.PUBLISHED, "changed")
        completion.inbound.append(InboundPublish(tenant, "i1", token, LedgerStatus.ACTIVE, message))
        return completion

    await apply_completion(conn, change("3"))  # our own write's token
    assert await _outbox_rows(conn, key) == 0
    await apply_completion(conn, change("4"))
    await apply_completion(conn, change("4"))
    assert await _outbox_rows(conn, key) == 1
    await work_items.queue_auto(conn, tenant, "i1", 2)
    await claims.claim_ready(
        conn,
        ClaimRequest(running={}, per_tenant=1, limit=10_000, worker_id="w", lease_seconds=30),
    )
    await apply_completion(conn, change("5"))  # our write is in flight: cannot tell
    assert await _outbox_rows(conn, key) == 1
