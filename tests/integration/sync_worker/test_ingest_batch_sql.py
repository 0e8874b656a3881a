"""`ingest_batch` with the worker's handler on the real database: one mixed batch gives exactly
the per-event results, units and snapshots, and ingest costs a few round trips per batch."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from pydantic import BaseModel

from services.contract.catalog import ContractEvent
from services.contract.invoices import InvoiceCreated, InvoiceUpdated
from services.contract.push import PushRequested
from services.contract.settings import SettingsChanged
from services.contract.topics import DeadLetterHeader, Topic
from services.contract.webhooks import ChangedEntity, QuickBooksWebhookReceived
from services.platform.ingest import IngestOutcome, RawRecord, ingest_batch
from services.platform.outbox import OutboxMessage
from services.sync_worker.ingest.dispatch import SyncEventHandler
from tests.integration.sync_worker.units import tenant_units
from tests.support.factories import invoice_created, invoice_snapshot, new_tenant

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 1, tzinfo=UTC)


async def _no_connections(conn: asyncpg.Connection, event: object) -> None:
    raise AssertionError("no connection events in these batches")


def _record(topic: Topic, event: BaseModel, offset: int) -> RawRecord:
    return RawRecord(topic.value, 0, offset, None, event.model_dump_json().encode())


def _invoice(tenant: str, invoice_id: str, version: int, number: str) -> RawRecord:
    event = InvoiceUpdated(
        tenant_id=tenant, invoice=invoice_snapshot(invoice_id, version=version, number=number)
    )
    return _record(Topic.INVOICES, event, 0)


async def _ingest(conn: asyncpg.Connection, records: Sequence[RawRecord]) -> IngestOutcome:
    return await ingest_batch(
        conn,
        records,
        lambda: SyncEventHandler(_no_connections),
        consumer_name="test",
        now=NOW,
    )


def _results(outcome: IngestOutcome) -> list[tuple[Any, ...]]:
    out = []
    for message in outcome.messages:
        body = json.loads(message.value)
        out.append(
            (
                body["tenant_id"],
                body["invoice_id"],
                body["invoice_version"],
                body["number"],
                body["error"]["code"],
                re.split("[.,]", body["error"]["message"])[0],
            )
        )
    return out


async def _queued(conn: asyncpg.Connection, tenant: str) -> list[tuple[Any, ...]]:
    units = await tenant_units(conn, tenant)
    return [(u.invoice_id, u.kind, u.invoice_version) for u in units if u.state == "queued"]


async def test_a_mixed_batch_gives_the_per_event_results_in_order(
    conn: asyncpg.Connection,
) -> None:
    two_way, manual, switching = new_tenant(), new_tenant(), new_tenant()
    await conn.execute("INSERT INTO tenants (tenant_id, manual_push) VALUES ($1, true)", manual)
    # QuickBooks holds version 1 of the One-Way Push tenant's invoice E (pushed earlier).
    await conn.execute(
        "INSERT INTO invoice_ledger (tenant_id, invoice_id, realm_id, external_id,"
        " external_number, synced_version) VALUES ($1, 'E', 'realm', '41', 'QB-7', 1)",
        manual,
    )
    # Held before the batch: A v3 with a queued auto unit.
    await _ingest(conn, [_invoice(two_way, "A", 3, "N-A3")])
    assert await _queued(conn, two_way) == [("A", "auto", 3)]
    twice = _invoice(manual, "C", 1, "N-C1")
    batch = [
        _invoice(two_way, "B", 1, "N-B1"),
        _invoice(two_way, "A", 2, "N-A2"),  # older than held
        _invoice(two_way, "B", 2, "N-B2"),  # replaces B v1 of this batch
        _invoice(two_way, "A", 3, "N-A3x"),  # equal to held
        twice,
        _invoice(two_way, "A", 4, "N-A4"),  # replaces the queued A v3
        _invoice(two_way, "A", 5, "N-A5"),
        twice,  # the same event again: a duplicate
        _invoice(switching, "D", 1, "N-D1"),
        _record(Topic.SETTINGS, SettingsChanged(tenant_id=switching, manual_push=True), 1),
        _invoice(switching, "D", 2, "N-D2"),  # after the switch: One-Way Push
        _invoice(two_way, "B", 2, "N-B2x"),  # equal to the version stored in this batch
        _invoice(manual, "E", 2, "N-E2"),  # QuickBooks' copy is now behind
    ]
    outcome = await _ingest(conn, batch)
    superseded, manual_mode = "SUPERSEDED", "MANUAL_PUSH_MODE"
    behind = "Version 2 (updated) is newer than the copy in QuickBooks (QB-7"

    def late(version: int, held: int) -> str:
        return f"Version {version} arrived after version {held}"

    def replaced(older: int, newer: int) -> str:
        return f"Version {older} was replaced by version {newer} before it was sent"

    assert (outcome.stored, outcome.duplicates, outcome.dead_lettered) == (12, 1, 0)
    # One-Way Push invoices QuickBooks has no copy of (C, D) get no result: nothing was sent
    # and nothing changed in QuickBooks. E's copy there is now behind: that is reported.
    assert _results(outcome) == [
        (two_way, "A", 2, "N-A2", superseded, late(2, 3)),
        (two_way, "B", 1, "N-B2", superseded, replaced(1, 2)),
        (two_way, "A", 3, "N-A3x", superseded, late(3, 3)),
        (two_way, "A", 3, "N-A4", superseded, replaced(3, 4)),
        (two_way, "A", 4, "N-A5", superseded, replaced(4, 5)),
        (two_way, "B", 2, "N-B2x", superseded, late(2, 2)),
        (manual, "E", 2, "N-E2", manual_mode, behind),
    ]
    [behind_result] = [m for m in outcome.messages if json.loads(m.value)["invoice_id"] == "E"]
    assert json.loads(behind_result.value)["error"]["details"] == {
        "external_number": "QB-7",
        "synced_version": 1,
    }
    assert await _queued(conn, two_way) == [("B", "auto", 2), ("A", "auto", 5)]
    # The unit queued before the switch stays: One-Way Push only stops queueing new ones.
    assert await _queued(conn, switching) == [("D", "auto", 1)]
    held = await conn.fetch(
        "SELECT tenant_id, invoice_id, version, snapshot->>'number' AS number "
        "FROM invoice_snapshots WHERE tenant_id = ANY($1) ORDER BY invoice_id",
        [two_way, manual, switching],
    )
    assert [tuple(r) for r in held] == [
        (two_way, "A", 5, "N-A5"),
        (two_way, "B", 2, "N-B2"),
        (manual, "C", 1, "N-C1"),
        (switching, "D", 2, "N-D2"),
        (manual, "E", 2, "N-E2"),
    ]
    outbox = await conn.fetch(
        "SELECT value FROM outbox WHERE value = ANY($1) ORDER BY id",
        [m.value for m in outcome.messages],
    )
    assert [r["value"] for r in outbox] == [m.value for m in outcome.messages]


async def test_a_push_request_in_the_batch_queues_its_units(conn: asyncpg.Connection) -> None:
    tenant = new_tenant()
    push = PushRequested(
        tenant_id=tenant, batch_id=uuid.uuid4(), invoice_ids=["P1", "P2"], requested_by="me"
    )
    await _ingest(
        conn,
        [_record(Topic.PUSH_REQUESTS, push, 0), _invoice(tenant, "P1", 1, "N-P1")],
    )
    assert await _queued(conn, tenant) == [
        ("P1", "push", None),
        ("P2", "push", None),
        ("P1", "auto", 1),
    ]


def _events(tenant: str, count: int) -> list[RawRecord]:
    return [
        _record(Topic.INVOICES, invoice_created(tenant, invoice_id=f"inv-{n}"), n)
        for n in range(count)
    ]


@pytest.mark.parametrize("manual_push", [True, False], ids=["one-way", "two-way"])
async def test_round_trips_per_ingested_batch(
    conn: asyncpg.Connection, manual_push: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = new_tenant()
    await conn.execute(
        "INSERT INTO tenants (tenant_id, manual_push) VALUES ($1, $2)", tenant, manual_push
    )
    queries: list[str] = []

    def log(record: Any) -> None:
        queries.append(record.query)

    conn.add_query_logger(log)
    try:
        outcome = await _ingest(conn, _events(tenant, 500))
        await asyncio.sleep(0)  # loggers are called soon after each query, not during it
    finally:
        conn.remove_query_logger(log)
    assert outcome.stored == 500
    with capsys.disabled():
        print(f"\nround trips for 500 events ({'one-way' if manual_push else 'two-way'}): "
              f"{len(queries)} = {len(queries) / 500:.3f} per event")  # fmt: skip
    assert len(queries) <= 8, queries[-6:]


class _RefusesOne:
    """The worker's handler, plus a database error whenever the poison event is applied."""

    def __init__(self, poison: uuid.UUID) -> None:
        self._poison = poison
        self._inner = SyncEventHandler(_no_connections)

    async def handle_batch(
        self, conn: asyncpg.Connection, events: Sequence[ContractEvent], *, now: datetime
    ) -> list[OutboxMessage]:
        messages = await self._inner.handle_batch(conn, events, now=now)
        if any(e.event_id == self._poison for e in events):
            await conn.execute("SELECT 1 / 0")  # aborts the transaction
        return messages


async def test_an_event_that_cannot_be_applied_is_dead_lettered_alone(
    conn: asyncpg.Connection,
) -> None:
    tenant = new_tenant()
    records = _events(tenant, 5)
    poison = InvoiceCreated.model_validate_json(records[2].value or b"")
    outcome = await ingest_batch(
        conn, records, lambda: _RefusesOne(poison.event_id), consumer_name="test", now=NOW
    )
    assert (outcome.stored, outcome.duplicates, outcome.dead_lettered) == (4, 0, 1)
    [letter] = [m for m in outcome.messages if m.topic == Topic.DEAD_LETTERS.value]
    assert letter.value == records[2].value
    assert dict(letter.headers)[DeadLetterHeader.ERROR_CLASS] == "DivisionByZeroError"
    held = await conn.fetch(
        "SELECT invoice_id FROM invoice_snapshots WHERE tenant_id = $1 ORDER BY invoice_id",
        tenant,
    )
    assert [r["invoice_id"] for r in held] == ["inv-0", "inv-1", "inv-3", "inv-4"]
    assert outcome.messages == [letter]
    queued = [invoice for invoice, _, _ in await _queued(conn, tenant)]
    assert queued == ["inv-0", "inv-1", "inv-3", "inv-4"]
    seen = await conn.fetchval(
        "SELECT count(*) FROM processed_events WHERE event_id = ANY($1)",
        [InvoiceCreated.model_validate_json(r.value or b"").event_id for r in records],
    )
    assert seen == 5, "the dead-lettered event is recorded too: a redelivery is a no-op"


async def test_a_version_stored_meanwhile_by_another_transaction_is_respected(
    worker_pg_pool: asyncpg.Pool,
) -> None:
    """The batch's upsert waits on another transaction storing v5 of a new invoice, so the
    version the statement read (none) is out of date: that invoice is redone event by event."""
    tenant = new_tenant()
    await worker_pg_pool.execute(
        "INSERT INTO tenants (tenant_id, manual_push) VALUES ($1, true)", tenant
    )
    other = await worker_pg_pool.acquire()
    mine = await worker_pg_pool.acquire()
    try:
        held = other.transaction()
        await held.start()
        await other.execute(
            "INSERT INTO invoice_snapshots (tenant_id, invoice_id, version, event_type, snapshot)"
            " VALUES ($1, 'X', 5, 'invoice.updated', $2::jsonb)",
            tenant,
            invoice_snapshot("X", version=5, number="N-X5").model_dump_json(),
        )
        batch = [_invoice(tenant, "X", 3, "N-X3"), _invoice(tenant, "X", 6, "N-X6")]
        ingest = asyncio.create_task(_ingest(mine, batch))
        await _until_waiting_on_a_lock(worker_pg_pool, mine.get_server_pid())
        await held.commit()
        outcome = await asyncio.wait_for(ingest, timeout=60)
        assert [r[2:] for r in _results(outcome)] == [
            (3, "N-X3", "SUPERSEDED", "Version 3 arrived after version 5"),
        ]
        version = await mine.fetchval(
            "SELECT version FROM invoice_snapshots WHERE tenant_id = $1", tenant
        )
        assert version == 6
    finally:
        await worker_pg_pool.release(other)
        await worker_pg_pool.release(mine)
        for table in ("invoice_snapshots", "tenants"):
            await worker_pg_pool.execute(f"DELETE FROM {table} WHERE tenant_id = $1", tenant)


async def _until_waiting_on_a_lock(pool: asyncpg.Pool, pid: int) -> None:
    for _ in range(600):
        waiting = await pool.fetchval(
            "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", pid
        )
        if waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the batch never waited on the other transaction")


async def test_webhooks_queue_inbound_units_only_for_two_way_tenants(
    conn: asyncpg.Connection,
) -> None:
    two_way, one_way = new_tenant(), new_tenant()

    def webhook(tenant: str, offset: int) -> RawRecord:
        event = QuickBooksWebhookReceived(
            tenant_id=tenant,
            realm_id="realm-1",
            entities=[ChangedEntity(name="Invoice", id="42", operation="Update")],
        )
        return _record(Topic.QUICKBOOKS_WEBHOOKS, event, offset)

    await _ingest(
        conn,
        [
            _record(Topic.SETTINGS, SettingsChanged(tenant_id=one_way, manual_push=True), 0),
            webhook(two_way, 1),
            webhook(one_way, 2),
        ],
    )
    queued = await conn.fetch(
        "SELECT tenant_id, payload FROM work_items WHERE kind = 'inbound' AND tenant_id = ANY($1)",
        [two_way, one_way],
    )
    assert [r["tenant_id"] for r in queued] == [two_way]
    assert json.loads(queued[0]["payload"])["external_id"] == "42"


async def test_a_redelivered_poison_record_is_dead_lettered_once(
    conn: asyncpg.Connection,
) -> None:
    """A rebalance before the offset commit redelivers the batch: records that are not contract
    events have no event id, so they are known again by where they sit and what they hold."""
    garbage = RawRecord(Topic.INVOICES.value, 3, 7, b"k", b"{truncated")
    first = await _ingest(conn, [garbage])
    again = await _ingest(conn, [garbage])
    elsewhere = await _ingest(conn, [RawRecord(Topic.INVOICES.value, 3, 8, b"k", b"{truncated")])
    assert (first.dead_lettered, first.duplicates) == (1, 0)
    assert (again.dead_lettered, again.duplicates, again.messages) == (0, 1, [])
    assert elsewhere.dead_lettered == 1, "the same bytes at another offset are another record"
