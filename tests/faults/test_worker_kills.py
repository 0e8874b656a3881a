"""SIGKILL workers during a 1,000-invoice push while QuickBooks throttles, fails and drops
responses after committing; afterwards: no duplicate, nothing missing, one result each."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter, defaultdict

import asyncpg
import pytest

from services.contract.push import PushRequested
from services.contract.topics import Topic, invoice_key, tenant_key
from tests.conftest import ENCRYPTION_KEY
from tests.faults.conftest import Replicas
from tests.support import tenants
from tests.support.factories import invoice_created, new_tenant
from tests.support.kafka import TopicReader, produce, produce_many
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.faults

INVOICES = 1000


async def test_sigkill_during_push_with_quickbooks_faults_loses_and_duplicates_nothing(
    replicas: Replicas,
    qbo_sandbox_url: str,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    rng = random.Random(20261125)
    sandbox = SandboxAdmin(qbo_sandbox_url)
    realm = await sandbox.create_realm(
        items=[{"name": "Display Ad", "unit_price": "100.00"}],
        limits={"per_minute": 6000, "per_second": 100},
    )
    realm_id = realm["realm_id"]
    tenant = new_tenant()
    replicas.start_all()
    await tenants.connect(kafka_bootstrap_servers, worker_pg_pool, tenant, realm, ENCRYPTION_KEY)
    await tenants.change_settings(kafka_bootstrap_servers, worker_pg_pool, tenant, manual_push=True)
    await tenants.map_products(
        kafka_bootstrap_servers, worker_pg_pool, tenant, {"P-1": realm["items"][0]["Id"]}
    )
    events = [invoice_created(tenant, number=f"F{i:05d}") for i in range(INVOICES)]
    await produce_many(
        kafka_bootstrap_servers,
        Topic.INVOICES,
        [(invoice_key(tenant, e.invoice.invoice_id), e) for e in events],
    )
    for kind, extra in (
        ("throttle", {"rate": 0.04}),
        ("server_error", {"rate": 0.04, "status": 503}),
        ("drop_after_commit", {"rate": 0.02, "endpoint": "invoice.create", "mode": "abort"}),
        ("drop_after_commit", {"rate": 0.01, "endpoint": "invoice.create", "hang_seconds": 5}),
    ):
        await sandbox.add_fault(realm_id, kind=kind, count=100000, **extra)

    batch_id = uuid.uuid4()
    ids = [e.invoice.invoice_id for e in events]
    async with TopicReader(kafka_bootstrap_servers, Topic.RESULTS) as results:
        await produce(
            kafka_bootstrap_servers,
            Topic.PUSH_REQUESTS,
            PushRequested(
                tenant_id=tenant, batch_id=batch_id, invoice_ids=ids, requested_by="faults"
            ),
            tenant_key(tenant),
        )

        def ours(r: object) -> bool:
            return bool(r.json().get("batch_id") == str(batch_id))  # type: ignore[attr-defined]

        started = time.monotonic()
        deadline = started + 300
        next_kill = started + rng.uniform(3, 6)
        while True:
            await results.settle(0.5)
            distinct = {r.json()["invoice_id"] for r in results.records if ours(r)}
            if len(distinct) >= INVOICES:
                break
            assert time.monotonic() < deadline, f"only {len(distinct)} results after 300s"
            if time.monotonic() >= next_kill and replicas.kills < 6:
                victim = replicas.sigkill_random(rng)
                await asyncio.sleep(rng.uniform(0.5, 2.0))
                replicas.start(victim)
                next_kill = time.monotonic() + rng.uniform(4, 8)
        await results.settle(5.0)
        mine = [r.json() for r in results.records if ours(r)]

    await sandbox.clear_faults(realm_id)
    stats = await sandbox.stats(realm_id)
    live = await sandbox.live_invoices(realm_id)
    await sandbox.aclose()

    by_invoice: dict[str, set[str]] = defaultdict(set)
    for body in mine:
        by_invoice[body["invoice_id"]].add(body["event_id"])
    outcomes = Counter(body["event_type"] for body in mine)
    doc_numbers = Counter(i["DocNumber"] for i in live)
    print(
        f"\nkills={replicas.kills} results={len(mine)} distinct_units={len(by_invoice)} "
        f"outcomes={dict(outcomes)} qbo_invoices={len(live)} "
        f"qbo_requests={stats['total_requests']} throttled={stats['throttled']}"
    )
    assert replicas.kills >= 3
    assert set(by_invoice) == set(ids), "every invoice of the batch has a result"
    assert all(len(v) == 1 for v in by_invoice.values()), "exactly one terminal result each"
    assert outcomes["invoice.sync.succeeded"] == len(mine)
    assert len(live) == INVOICES, "every invoice exists in QuickBooks"
    assert max(doc_numbers.values()) == 1, "no duplicate invoice in QuickBooks"
    assert set(doc_numbers) == {f"F{i:05d}" for i in range(INVOICES)}
