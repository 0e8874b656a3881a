"""`auto_units.queue_auto_many`: the effect of `work_items.queue_auto` per invoice, in one
statement, with the executors' wake-up delivered at commit."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.sync_worker.invoices.versions import Version
from services.sync_worker.sync import claims, work_items
from services.sync_worker.sync.auto_units import queue_auto_many
from services.sync_worker.sync.claims import ClaimRequest
from services.sync_worker.sync.completion import UnitKind
from tests.integration.sync_worker.notify import assert_notified_at_commit
from tests.integration.sync_worker.units import tenant_units
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration


async def test_same_units_and_superseded_as_queueing_one_by_one(
    conn: asyncpg.Connection,
) -> None:
    one, many = new_tenant(), new_tenant()
    for tenant in (one, many):
        await work_items.queue_auto(conn, tenant, "a", 1)
        await work_items.queue_auto(conn, tenant, "b", 1)
        await work_items.queue_push(conn, tenant, uuid.uuid4(), ["a"])
        # The other tenant counts as full, so only this one's oldest unit is claimed.
        others = {t: 1 for t in (one, many) if t != tenant}
        claimed_now = await claims.claim_ready(
            conn,
            ClaimRequest(
                running=others, per_tenant=1, limit=10_000, worker_id="w", lease_seconds=30
            ),
        )
        [claimed] = [c for c in claimed_now if c.tenant_id == tenant]
        assert (claimed.invoice_id, claimed.kind) == ("a", UnitKind.AUTO)
    # a v1 is in flight (not superseded), b v1 is queued (superseded), c is new.
    by_one = [
        await work_items.queue_auto(conn, one, i, v) for i, v in [("b", 2), ("c", 1), ("a", 2)]
    ]
    by_many = await queue_auto_many(
        conn, [Version(many, i, v) for i, v in [("b", 2), ("c", 1), ("a", 2)]]
    )
    assert [[s.invoice_version for s in found] for found in by_one] == [[1], [], []]
    assert {key: [s.invoice_version for s in found] for key, found in by_many.items()} == {
        (many, "b"): [1]
    }
    assert await tenant_units(conn, many) == await tenant_units(conn, one)
    assert (await tenant_units(conn, many))[-3:] == [
        ("b", "auto", 2, "queued", None),
        ("c", "auto", 1, "queued", None),
        ("a", "auto", 2, "queued", None),
    ]


async def test_executors_are_woken_when_the_units_commit(worker_pg_pool: asyncpg.Pool) -> None:
    tenant = new_tenant()
    try:
        await assert_notified_at_commit(
            worker_pg_pool,
            work_items.NOTIFY_CHANNEL,
            lambda conn: queue_auto_many(conn, [Version(tenant, "a", 1)]),
        )
    finally:
        await worker_pg_pool.execute("DELETE FROM work_items WHERE tenant_id = $1", tenant)
