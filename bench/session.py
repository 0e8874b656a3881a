"""What every push measurement opens first: a running worker, a sandbox admin client and a
pool on the worker's database; and the ingest of its invoices before anything is timed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

import asyncpg

from bench.common import produce_raw, wait_count, wait_outbox_empty
from bench.stack import BenchStack
from services.contract.topics import Topic
from services.platform.postgres import create_pool
from tests.support.sandbox import SandboxAdmin


@contextlib.asynccontextmanager
async def worker_session(stack: BenchStack) -> AsyncIterator[tuple[SandboxAdmin, asyncpg.Pool]]:
    """Starts a worker if none runs; closes the client and the pool afterwards."""
    if stack.worker is None:
        stack.start_worker()
    sandbox = SandboxAdmin(stack.sandbox_url)
    pool = await create_pool(stack.dsn, "sync_worker", max_size=4)
    try:
        yield sandbox, pool
    finally:
        await pool.close()
        await sandbox.aclose()


async def store_invoices(
    stack: BenchStack,
    pool: asyncpg.Pool,
    tenant_ids: Sequence[str],
    records: Sequence[tuple[bytes, bytes]],
    *,
    stored: int | None = None,
    within: float = 180,
) -> None:
    """Publishes invoice records as MediaOS does; returns once the worker holds `stored`
    snapshots of these tenants (default: one per record) and its outbox is empty."""
    await produce_raw(stack.bootstrap, Topic.INVOICES.value, records)
    await wait_count(
        pool,
        "SELECT count(*) FROM invoice_snapshots WHERE tenant_id = ANY($1::text[])",
        list(tenant_ids),
        at_least=len(records) if stored is None else stored,
        what="invoice snapshots stored",
        within=within,
    )
    await wait_outbox_empty(pool)
