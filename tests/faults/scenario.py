"""A push batch run under a disruption, then checked through the sandbox and result topic."""

from __future__ import annotations

import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.contract.topics import Topic
from tests.faults.report import ROWS, ScenarioRow
from tests.support import tenants
from tests.support.factories import invoice_created
from tests.support.kafka import TopicReader
from tests.support.sandbox import SandboxAdmin

# Called about twice a second with the seconds since the push and results seen so far.
Disruption = Callable[[float, int], Awaitable[None]]


def once_after(results: int, act: Callable[[], Awaitable[None]]) -> tuple[Disruption, list[int]]:
    """A disruption that runs `act` once, as soon as `results` results are in; the list then
    holds how many there were (empty: it never ran)."""
    ran_at: list[int] = []

    async def disrupt(_elapsed: float, done: int) -> None:
        if not ran_at and done >= results:
            ran_at.append(done)
            await act()

    return disrupt, ran_at


@dataclass
class Outcome:
    results: list[dict[str, Any]]
    distinct: int
    live_invoices: int
    duplicate_invoices: int
    lost: int
    stats: dict[str, Any]


async def run_push_scenario(
    name: str,
    *,
    invoices: int,
    bootstrap: str,
    pool: asyncpg.Pool,
    sandbox_url: str,
    disrupt: Disruption,
    describe: Callable[[], str],
    faults: Sequence[dict[str, Any]] = (),
    timeout: float = 300,
    latency: str | None = None,
) -> Outcome:
    """`faults`: QuickBooks faults of this company (sandbox `add_fault` arguments);
    `latency`: a sandbox latency profile for it (e.g. "intuit")."""
    sandbox = SandboxAdmin(sandbox_url)
    tenant, realm = await tenants.one_way_push_company(
        bootstrap, pool, sandbox, limits={"per_minute": 6000, "per_second": 100}
    )
    realm_id = realm["realm_id"]
    prefix = uuid.uuid4().hex[:4].upper()
    events = [invoice_created(tenant, number=f"{prefix}{i:05d}") for i in range(invoices)]
    await tenants.publish_invoices(bootstrap, pool, events)
    for fault in faults:
        await sandbox.add_fault(realm_id, count=100000, **fault)
    if latency is not None:
        await sandbox.set_latency(realm_id, profile=latency)
    ids = [e.invoice.invoice_id for e in events]
    batch_id = str(uuid.uuid4())
    async with TopicReader(bootstrap, Topic.RESULTS) as results:
        await tenants.push(
            bootstrap, tenant, ids, batch_id=uuid.UUID(batch_id), requested_by="faults"
        )
        started = time.monotonic()
        while True:
            await results.settle(0.5)
            mine = [r.json() for r in results.records if r.json().get("batch_id") == batch_id]
            distinct = {b["invoice_id"] for b in mine}
            if len(distinct) >= invoices:
                break
            elapsed = time.monotonic() - started
            if elapsed > timeout:
                break
            await disrupt(elapsed, len(distinct))
        await results.settle(3.0)
        mine = [r.json() for r in results.records if r.json().get("batch_id") == batch_id]
    await sandbox.clear_faults(realm_id)
    live = await sandbox.live_invoices(realm_id)
    stats = await sandbox.stats(realm_id)
    await sandbox.aclose()

    per_invoice: dict[str, set[str]] = defaultdict(set)
    for body in mine:
        per_invoice[body["invoice_id"]].add(body["event_id"])
    docs = Counter(i["DocNumber"] for i in live)
    outcome = Outcome(
        results=mine,
        distinct=len(per_invoice),
        live_invoices=len(live),
        duplicate_invoices=sum(n - 1 for n in docs.values()),
        lost=len(set(ids) - set(per_invoice)) + max(invoices - len(docs), 0),
        stats=stats,
    )
    succeeded = sum(1 for b in mine if b["event_type"] == "invoice.sync.succeeded")
    ok = (
        outcome.lost == 0
        and outcome.duplicate_invoices == 0
        and all(len(v) == 1 for v in per_invoice.values())
        and succeeded == len(mine)
        and outcome.live_invoices == invoices
    )
    ROWS.append(
        ScenarioRow(
            scenario=name,
            units=invoices,
            disruptions=describe(),
            results=outcome.distinct,
            lost=outcome.lost,
            duplicates=outcome.duplicate_invoices,
            extra=f"qbo_calls={stats['total_requests']} throttled={stats['throttled']} "
            f"batches={sum(stats['requests'].get('batch', {}).values())} "
            f"redelivered={len(mine) - outcome.distinct}",
            passed=ok,
        )
    )
    assert outcome.lost == 0, f"{outcome.lost} invoices lost"
    assert outcome.duplicate_invoices == 0, "duplicate invoices in QuickBooks"
    assert all(len(v) == 1 for v in per_invoice.values()), "more than one result for a unit"
    assert succeeded == len(mine), Counter(b["event_type"] for b in mine)
    assert outcome.live_invoices == invoices
    return outcome
