"""`work_items` SQL: queueing, coalescing, claiming order, leases and finishing."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.sync_worker.sync import claims, work_items
from services.sync_worker.sync.claims import ClaimRequest
from services.sync_worker.sync.completion import UnitKind

pytestmark = pytest.mark.integration


async def _claim(
    conn: asyncpg.Connection, tenant: str, limit: int = 10, worker_id: str = "w-1"
) -> list[work_items.WorkItem]:
    """This tenant's share of one claim round (the shared database may hold other tenants)."""
    claimed = await claims.claim_ready(
        conn,
        ClaimRequest(
            running={}, per_tenant=limit, limit=10_000, worker_id=worker_id, lease_seconds=30
        ),
    )
    return [c for c in claimed if c.tenant_id == tenant]


async def test_a_newer_auto_unit_supersedes_the_queued_one(
    conn: asyncpg.Connection, tenant: str
) -> None:
    assert await work_items.queue_auto(conn, tenant, "i1", 1) == []
    [superseded] = await work_items.queue_auto(conn, tenant, "i1", 2)
    assert (superseded.invoice_version, superseded.kind) == (1, UnitKind.AUTO)
    [claimed] = await _claim(conn, tenant)
    assert (claimed.invoice_version, claimed.attempts) == (2, 1)


async def test_a_redelivered_push_request_adds_nothing(
    conn: asyncpg.Connection, tenant: str
) -> None:
    batch = uuid.uuid4()
    assert await work_items.queue_push(conn, tenant, batch, ["i1", "i2"]) == 2
    assert await work_items.queue_push(conn, tenant, batch, ["i1", "i2"]) == 0


async def test_one_invoice_runs_one_unit_at_a_time(conn: asyncpg.Connection, tenant: str) -> None:
    await work_items.queue_auto(conn, tenant, "i1", 1)
    await work_items.queue_push(conn, tenant, uuid.uuid4(), ["i1", "i2"])
    claimed = await _claim(conn, tenant)
    # i1's push waits for its older auto unit (RETURNING has no order).
    assert {(c.invoice_id, c.kind) for c in claimed} == {
        ("i2", UnitKind.PUSH),
        ("i1", UnitKind.AUTO),
    }
    assert await work_items.outbound_in_flight(conn, tenant, "i1")
    [auto] = [c for c in claimed if c.kind is UnitKind.AUTO]
    assert await work_items.finish(conn, auto, worker_id="w-1", outcome="succeeded:create")
    [push] = await _claim(conn, tenant)
    assert (push.invoice_id, push.kind) == ("i1", UnitKind.PUSH)


async def test_finishing_needs_the_lease(conn: asyncpg.Connection, tenant: str) -> None:
    await work_items.queue_auto(conn, tenant, "i1", 1)
    [item] = await _claim(conn, tenant)
    assert not await work_items.finish(conn, item, worker_id="w-2", outcome="x")
    await conn.execute(
        "UPDATE work_items SET lease_until = now() - interval '1 s' WHERE id = $1", item.id
    )
    assert await work_items.recover_expired_leases(conn) >= 1
    [again] = await _claim(conn, tenant)
    assert again.attempts == 2
    assert not await work_items.finish(conn, item, worker_id="w-1", outcome="x")  # stale attempt
    assert await work_items.finish(conn, again, worker_id="w-1", outcome="succeeded:none")
    assert await _claim(conn, tenant) == []


async def test_a_wait_that_is_no_attempt_gives_the_attempt_back(
    conn: asyncpg.Connection, tenant: str
) -> None:
    await work_items.queue_auto(conn, tenant, "i1", 1)
    [item] = await _claim(conn, tenant)
    assert await work_items.retry_later(
        conn, item, worker_id="w-1", delay_seconds=0, count_attempt=False
    )
    [again] = await _claim(conn, tenant)
    assert again.attempts == 1
    await work_items.release(conn, [(again.id, again.attempts)], worker_id="w-1")
    [released] = await _claim(conn, tenant)
    assert released.attempts == 1


async def test_one_pending_cdc_sweep_per_tenant(conn: asyncpg.Connection, tenant: str) -> None:
    await work_items.schedule_cdc(conn, tenant, 0)
    await work_items.schedule_cdc(conn, tenant, 0)
    claimed = await _claim(conn, tenant)
    assert [c.kind for c in claimed] == [UnitKind.CDC]


async def test_a_round_gives_each_tenant_its_room_only(
    conn: asyncpg.Connection, tenant: str
) -> None:
    other = f"{tenant}-b"
    await work_items.queue_push(conn, tenant, uuid.uuid4(), [f"i{n}" for n in range(6)])
    await work_items.queue_push(conn, other, uuid.uuid4(), ["j1", "j2"])
    claimed = await claims.claim_ready(
        conn,
        ClaimRequest(
            running={tenant: 2}, per_tenant=3, limit=10_000, worker_id="w-1", lease_seconds=30
        ),
    )
    mine = [c.tenant_id for c in claimed if c.tenant_id in (tenant, other)]
    assert sorted(mine) == sorted([tenant, other, other])


async def test_a_company_paced_by_another_live_replica_is_left_to_it(
    conn: asyncpg.Connection, tenant: str
) -> None:
    realm = f"realm-{tenant}"
    await conn.execute(
        "INSERT INTO quickbooks_connections (tenant_id, realm_id, refresh_token_enc) "
        "VALUES ($1, $2, 'x')",
        tenant,
        realm,
    )
    await conn.execute(
        "INSERT INTO realm_leases (realm_id, owner, lease_until) "
        "VALUES ($1, 'w-2', now() + interval '10 seconds')",
        realm,
    )
    await work_items.queue_push(conn, tenant, uuid.uuid4(), ["i1"])
    assert await _claim(conn, tenant, worker_id="w-1") == []
    [mine] = await _claim(conn, tenant, worker_id="w-2")
    assert mine.invoice_id == "i1"
    # Once the other replica's lease has run out, anyone may serve the tenant.
    await conn.execute(
        "UPDATE realm_leases SET lease_until = now() - interval '1 second' WHERE realm_id = $1",
        realm,
    )
    await work_items.queue_push(conn, tenant, uuid.uuid4(), ["i2"])
    [taken] = await _claim(conn, tenant, worker_id="w-1")
    assert taken.invoice_id == "i2"


async def test_finishing_many_commits_only_the_units_still_held(
    conn: asyncpg.Connection, tenant: str
) -> None:
    await work_items.queue_push(conn, tenant, uuid.uuid4(), ["i1", "i2"])
    first, second = await _claim(conn, tenant)
    await conn.execute("UPDATE work_items SET leased_by = 'w-2' WHERE id = $1", second.id)
    held = await work_items.finish_many(
        conn, [(first, "succeeded:create"), (second, "succeeded:create")], worker_id="w-1"
    )
    assert held == {first.id}
    states = dict(
        await conn.fetch(
            "SELECT id, state FROM work_items WHERE id = ANY($1)", [first.id, second.id]
        )
    )
    assert states == {first.id: "done", second.id: "in_flight"}
