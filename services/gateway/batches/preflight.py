"""Loads what a dry run needs and hands it to the pure `findings_for`."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.gateway.batches import invoice_rows
from services.gateway.batches.dry_run import Finding, findings_for
from services.gateway.progress import status_repository


async def preflight(
    pool: asyncpg.Pool, tenant_id: str, invoice_ids: Sequence[str]
) -> list[Finding]:
    ids = list(invoice_ids)
    async with pool.acquire() as conn:
        open_batches = await invoice_rows.open_batch_of(conn, tenant_id, ids)
        last_results = await status_repository.last_results(conn, tenant_id, ids)
    return findings_for(ids, open_batches=open_batches, last_results=last_results)
