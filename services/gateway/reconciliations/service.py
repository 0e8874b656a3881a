"""Starting a run (its row and `reconciliation.requested` commit together) and repairing
its findings with a normal push batch."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

import asyncpg

from services.contract.common import utc_now
from services.contract.push import MAX_BATCH_SIZE
from services.contract.reconciliation import ReconciliationRequested, ReconciliationTrigger
from services.contract.settings import ConflictPolicy
from services.contract.topics import Topic, tenant_key
from services.gateway.batches.service import submit_batch
from services.platform.outbox import enqueue, event_message

from . import repository as repo
from .model import Run


async def start(
    pool: asyncpg.Pool,
    tenant_id: str,
    requested_by: str,
    trigger: ReconciliationTrigger = ReconciliationTrigger.ON_DEMAND,
) -> UUID:
    async with pool.acquire() as conn, conn.transaction():
        return await request_run(conn, tenant_id, requested_by, trigger)


async def request_run(
    conn: asyncpg.Connection,
    tenant_id: str,
    requested_by: str,
    trigger: ReconciliationTrigger,
) -> UUID:
    """The run's row and its request event, in the caller's transaction."""
    event = ReconciliationRequested(
        tenant_id=tenant_id,
        reconciliation_id=uuid4(),
        requested_by=requested_by,
        trigger=trigger,
    )
    await repo.create(
        conn, event.reconciliation_id, tenant_id, requested_by, trigger.value, utc_now()
    )
    await enqueue(
        conn,
        [event_message(Topic.RECONCILIATION_REQUESTS.value, tenant_key(tenant_id), event)],
    )
    return event.reconciliation_id


@dataclass(frozen=True)
class RepairPlan:
    invoice_ids: list[str]
    kept: list[str]
    policy: ConflictPolicy
    note: str


class TooManyToRepair(Exception):
    pass


async def plan_repair(conn: asyncpg.Connection, run: Run, categories: list[str]) -> RepairPlan:
    """`different` invoices QuickBooks changed after our last write stay as they are when
    the tenant's conflict policy is `quickbooks_wins`; every other chosen one is pushed."""
    policy = ConflictPolicy(run.conflict_policy or ConflictPolicy.REPORT.value)
    rows = await repo.findings(
        conn, run.reconciliation_id, categories=categories, after=-1, limit=None
    )
    pushed: list[str] = []
    kept: list[str] = []
    for row in rows:
        if row.invoice_id is None:
            continue
        edited = row.category == "different" and row.edited_in_quickbooks
        if edited and policy is ConflictPolicy.QUICKBOOKS_WINS:
            kept.append(row.invoice_id)
        else:
            pushed.append(row.invoice_id)
    pushed = list(dict.fromkeys(pushed))
    if len(pushed) > MAX_BATCH_SIZE:
        raise TooManyToRepair(f"{len(pushed)} invoices; one repair sends at most {MAX_BATCH_SIZE}.")
    return RepairPlan(pushed, kept, policy, _note(policy, len(kept)))


def _note(policy: ConflictPolicy, kept: int) -> str:
    if policy is ConflictPolicy.QUICKBOOKS_WINS:
        return (
            f"Conflict policy quickbooks_wins: {kept} invoice(s) changed in QuickBooks after our "
            "last write were kept as they are in QuickBooks; the others are pushed."
        )
    if policy is ConflictPolicy.MEDIAOS_WINS:
        return "Conflict policy mediaos_wins: MediaOS overwrites every chosen invoice."
    return (
        "Conflict policy report: you confirmed the overwrite, so MediaOS overwrites every "
        "chosen invoice, including ones changed in QuickBooks."
    )


async def repair(
    pool: asyncpg.Pool, tenant_id: str, plan: RepairPlan, requested_by: str, principal: str
) -> UUID | None:
    if not plan.invoice_ids:
        return None
    return await submit_batch(
        pool,
        tenant_id=tenant_id,
        invoice_ids=plan.invoice_ids,
        requested_by=requested_by,
        principal=principal,
    )
