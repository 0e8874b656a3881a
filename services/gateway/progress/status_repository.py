from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.contract.results import InvoiceSyncSucceeded, SyncResult
from services.gateway.batches.dry_run import LastResult
from services.gateway.progress.model import InvoiceSyncState
from services.platform.rows import json_column, record_of, unnest_arrays

# Same outcome as upserting the results one by one in order, with "an older result never
# overwrites a newer one": within the batch only results no earlier one is newer than can
# land (`landing`), and of those only the ones not older than the stored row (`applied`).
# The last applied one sets the row; external ids and the last success time keep the newest
# non-empty value among the applied ones, else the stored one.
_RECORD_RESULTS = """
WITH i AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::uuid[],
                         $7::text[], $8::text[], $9::text[], $10::uuid[], $11::text[],
                         $12::timestamptz[], $13::bool[])
        WITH ORDINALITY AS i(tenant_id, invoice_id, invoice_version, external_id,
                             external_number, last_event_id, last_event_type, last_operation,
                             last_trigger, last_batch_id, last_error, last_result_at, success,
                             ord)
),
landing AS (
    SELECT *, max(last_result_at) OVER (
        PARTITION BY tenant_id, invoice_id ORDER BY ord
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS newest_before
    FROM i
),
applied AS (
    SELECT l.* FROM landing l
    LEFT JOIN invoice_sync_status s USING (tenant_id, invoice_id)
    WHERE (l.newest_before IS NULL OR l.last_result_at >= l.newest_before)
      AND (s.last_result_at IS NULL OR l.last_result_at >= s.last_result_at)
),
folded AS (
    SELECT tenant_id, invoice_id, max(ord) AS last_ord,
        (array_agg(external_id ORDER BY ord DESC)
            FILTER (WHERE external_id IS NOT NULL))[1] AS external_id,
        (array_agg(external_number ORDER BY ord DESC)
            FILTER (WHERE external_number IS NOT NULL))[1] AS external_number,
        max(last_result_at) FILTER (WHERE success) AS last_synced_at
    FROM applied GROUP BY tenant_id, invoice_id
)
INSERT INTO invoice_sync_status AS s (
    tenant_id, invoice_id, invoice_version, external_id, external_number,
    last_event_id, last_event_type, last_operation, last_trigger, last_batch_id,
    last_error, last_result_at, last_synced_at)
SELECT a.tenant_id, a.invoice_id, a.invoice_version, f.external_id, f.external_number,
       a.last_event_id, a.last_event_type, a.last_operation, a.last_trigger, a.last_batch_id,
       a.last_error::jsonb, a.last_result_at, f.last_synced_at
FROM folded f
JOIN applied a ON a.tenant_id = f.tenant_id AND a.invoice_id = f.invoice_id AND a.ord = f.last_ord
ORDER BY a.tenant_id, a.invoice_id
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
"""


# The results' attributes in the order of `_RECORD_RESULTS`' unnest arrays ($1-$12).
_RESULT_COLUMNS = (
    "tenant_id",
    "invoice_id",
    "invoice_version",
    "external_id",
    "external_number",
    "event_id",
    "event_type",
    "operation",
    "trigger",
    "batch_id",
    "error",
    "occurred_at",
)


async def record_results(conn: asyncpg.Connection, results: Sequence[SyncResult]) -> None:
    """Upserts each invoice's latest result, in one statement for a consumed batch (given in
    consumption order); an older result never overwrites a newer one."""
    if not results:
        return
    await conn.execute(
        _RECORD_RESULTS,
        *unnest_arrays(
            results,
            *_RESULT_COLUMNS,
            error=lambda error: error.model_dump_json() if error else None,
        ),
        [isinstance(r, InvoiceSyncSucceeded) for r in results],
    )


async def get_status(
    conn: asyncpg.Connection, tenant_id: str, invoice_id: str
) -> InvoiceSyncState | None:
    row = await conn.fetchrow(
        "SELECT * FROM invoice_sync_status WHERE tenant_id = $1 AND invoice_id = $2",
        tenant_id,
        invoice_id,
    )
    if row is None:
        return None
    return record_of(InvoiceSyncState, row, last_error=json_column(row["last_error"]))


async def last_results(
    conn: asyncpg.Connection, tenant_id: str, invoice_ids: list[str]
) -> dict[str, LastResult]:
    """The latest result of each of these invoices that has one, by invoice id."""
    rows = await conn.fetch(
        """
        SELECT invoice_id, last_event_type, last_error::text AS last_error, external_number
        FROM invoice_sync_status WHERE tenant_id = $1 AND invoice_id = ANY($2::text[])
        """,
        tenant_id,
        invoice_ids,
    )
    return {r["invoice_id"]: _last_result(r) for r in rows}


def _last_result(row: asyncpg.Record) -> LastResult:
    error = json_column(row["last_error"]) or {}
    return LastResult(
        invoice_id=row["invoice_id"],
        event_type=row["last_event_type"],
        error_code=error.get("code"),
        error_message=error.get("message"),
        error_details=error.get("details") or None,
        external_number=row["external_number"],
    )
