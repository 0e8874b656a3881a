from __future__ import annotations

from typing import Any

import asyncpg

from services.contract.results import InvoiceSyncSucceeded


async def record_result(conn: asyncpg.Connection, result: Any) -> None:
    """Upserts the invoice's latest result; an older result never overwrites a newer one."""
    is_success = isinstance(result, InvoiceSyncSucceeded)
    await conn.execute(
        """
        INSERT INTO invoice_sync_status AS s (
            tenant_id, invoice_id, invoice_version, external_id, external_number,
            last_event_id, last_event_type, last_operation, last_trigger, last_batch_id,
            last_error, last_result_at, last_synced_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::timestamptz,
                CASE WHEN $13 THEN $12::timestamptz END)
        ON CONFLICT (tenant_id, invoice_id) DO UPDATE SET
            invoice_version = EXCLUDED.invoice_version,
            external_id = COALESCE(EXCLUDED.external_id, s.external_id),
            external_number = COALESCE(EXCLUDED.external_number, s.external_number),
            last_event_id = EXCLUDED.last_event_id,
            last_event_type = EXCLUDED.last_event_type,
            last_operation = EXCLUDED.last_operation,
            last_trigger = EXCLUDED.last_trigger,
            last_batch_id = EXCLUDED.last_batch_id,
            last_error = EXCLUDED.last_error,
            last_result_at = EXCLUDED.last_result_at,
            last_synced_at = COALESCE(EXCLUDED.last_synced_at, s.last_synced_at)
        WHERE s.last_result_at <= EXCLUDED.last_result_at
        """,
        result.tenant_id,
        result.invoice_id,
        result.invoice_version,
        result.external_id,
        result.external_number,
        result.event_id,
        result.event_type,
        result.operation.value,
        result.trigger.value,
        result.batch_id,
        result.error.model_dump_json() if result.error else None,
        result.occurred_at,
        is_success,
    )


async def get_status(
    conn: asyncpg.Connection, tenant_id: str, invoice_id: str
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM invoice_sync_status WHERE tenant_id = $1 AND invoice_id = $2",
        tenant_id,
        invoice_id,
    )


async def last_results(
    conn: asyncpg.Connection, tenant_id: str, invoice_ids: list[str]
) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """
            SELECT invoice_id, last_event_type, last_error::text AS last_error, external_number
            FROM invoice_sync_status WHERE tenant_id = $1 AND invoice_id = ANY($2::text[])
            """,
            tenant_id,
            invoice_ids,
        )
    )
