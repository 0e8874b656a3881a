"""A small batch of tenant B is not stuck behind tenant A's large, throttled batch."""

from __future__ import annotations

import time

import asyncpg
import pytest

from services.contract.topics import Topic
from tests.support import tenants
from tests.support.factories import invoice_created
from tests.support.kafka import TopicReader
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.e2e


async def _tenant_with_invoices(
    sandbox: SandboxAdmin, bootstrap: str, pool: asyncpg.Pool, count: int, prefix: str
) -> tuple[str, str, list[str]]:
    tenant, realm = await tenants.one_way_push_company(
        bootstrap, pool, sandbox, limits={"per_minute": 3000, "per_second": 50}
    )
    events = [invoice_created(tenant, number=f"{prefix}{i:04d}") for i in range(count)]
    await tenants.publish_invoices(bootstrap, pool, events)
    return tenant, realm["realm_id"], [e.invoice.invoice_id for e in events]


async def test_small_batch_of_b_finishes_while_a_is_throttled(
    running_worker: object,
    qbo_sandbox_url: str,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    sandbox = SandboxAdmin(qbo_sandbox_url)
    tenant_a, realm_a, ids_a = await _tenant_with_invoices(
        sandbox, kafka_bootstrap_servers, worker_pg_pool, 300, "A"
    )
    tenant_b, _, ids_b = await _tenant_with_invoices(
        sandbox, kafka_bootstrap_servers, worker_pg_pool, 5, "B"
    )
    # QuickBooks throttles most of A's calls: A's units wait on backoff, holding their slots.
    await sandbox.add_fault(realm_a, kind="throttle", rate=0.8, count=100000)
    async with TopicReader(kafka_bootstrap_servers, Topic.RESULTS) as results:
        batch_a = str(await tenants.push(kafka_bootstrap_servers, tenant_a, ids_a))
        await tenants.wait_for_row(
            worker_pg_pool,
            "SELECT 1 FROM work_items WHERE tenant_id = $1 AND state = 'in_flight'",
            tenant_a,
        )
        submitted = time.monotonic()
        batch_b = str(await tenants.push(kafka_bootstrap_servers, tenant_b, ids_b))
        done_b = await results.wait_for(
            lambda r: r.json().get("batch_id") == batch_b, count=5, timeout=60
        )
        elapsed = time.monotonic() - submitted
        a_done = len([r for r in results.records if r.json().get("batch_id") == batch_a])
    await sandbox.clear_faults(realm_a)
    await sandbox.aclose()
    print(f"\nB's 5 invoices done in {elapsed:.1f}s while A had {a_done}/300 results")
    assert all(r.json()["event_type"] == "invoice.sync.succeeded" for r in done_b)
    assert a_done < len(ids_a) // 2, "B finished while A's batch was still mostly pending"
