"""Loads what a dry run needs and hands it to the pure `findings_for`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from services.gateway.batches import invoice_rows
from services.gateway.batches.dry_run import Finding, LastResult, findings_for
from services.gateway.progress import status_repository


async def preflight(
    pool: asyncpg.Pool, tenant_id: str, invoice_ids: Sequence[str]
) -> list[Finding]:
    ids = list(invoice_ids)
    async with pool.acquire() as conn:
        open_rows = await invoice_rows.invoices_in_open_batches(conn, tenant_id, ids)
        result_rows = await status_repository.last_results(conn, tenant_id, ids)
    open_batches: dict[str, UUID] = {}
    for row in open_rows:
        open_batches.setdefault(row["invoice_id"], row["batch_id"])
    last_results: dict[str, LastResult] = {}
    for row in result_rows:
        error = json.loads(row["last_error"]) if row["last_error"] else {}
        last_results[row["invoice_id"]] = LastResult(
            invoice_id=row["invoice_id"],
            event_type=row["last_event_type"],
            error_code=error.get("code"),
            error_message=error.get("message"),
            error_details=error.get("details") or None,
            external_number=row["external_number"],
        )
    return findings_for(ids, open_batches=open_batches, last_results=last_results)
