"""SQL of a push batch's invoice rows (`push_batch_invoices`): one per invoice, its result."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from services.gateway.batches.model import InvoiceStatus
from services.gateway.batches.results import InvoiceChange, StoredResult


async def insert_invoices(
    conn: asyncpg.Connection, batch_id: UUID, invoice_ids: Sequence[str]
) -> None:
    """Adds the request's invoices in request order; rows a result created keep their result."""
    await conn.execute(
        """
        INSERT INTO push_batch_invoices (batch_id, invoice_id, position)
        SELECT $1, t.id, t.ord::integer
        FROM unnest($2::text[]) WITH ORDINALITY AS t(id, ord)
        ON CONFLICT (batch_id, invoice_id) DO UPDATE SET position = EXCLUDED.position
        """,
        batch_id,
        list(invoice_ids),
    )


async def stored_results(
    conn: asyncpg.Connection, batch_id: UUID, invoice_ids: Sequence[str]
) -> dict[str, StoredResult]:
    rows = await conn.fetch(
        """
        SELECT invoice_id, status, result_event_id, result_at FROM push_batch_invoices
        WHERE batch_id = $1 AND invoice_id = ANY($2::text[])
        """,
        batch_id,
        list(invoice_ids),
    )
    return {
        r["invoice_id"]: StoredResult(
            InvoiceStatus(r["status"]), r["result_event_id"], r["result_at"]
        )
        for r in rows
    }


async def write_results(
    conn: asyncpg.Connection, batch_id: UUID, changes: Sequence[InvoiceChange]
) -> None:
    await conn.executemany(
        """
        INSERT INTO push_batch_invoices AS i (
            batch_id, invoice_id, status, external_id, external_number, error_code,
            error_message, error_retryable, result_event_id, result_at, seq,
            number, customer_name, amount, currency)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
        ON CONFLICT (batch_id, invoice_id) DO UPDATE SET
            status = EXCLUDED.status,
            external_id = COALESCE(EXCLUDED.external_id, i.external_id),
            external_number = COALESCE(EXCLUDED.external_number, i.external_number),
            error_code = EXCLUDED.error_code,
            error_message = EXCLUDED.error_message,
            error_retryable = EXCLUDED.error_retryable,
            result_event_id = EXCLUDED.result_event_id,
            result_at = EXCLUDED.result_at,
            seq = EXCLUDED.seq,
            number = COALESCE(EXCLUDED.number, i.number),
            customer_name = COALESCE(EXCLUDED.customer_name, i.customer_name),
            amount = COALESCE(EXCLUDED.amount, i.amount),
            currency = COALESCE(EXCLUDED.currency, i.currency)
        """,
        [
            (
                batch_id,
                c.result.invoice_id,
                c.result.status.value,
                c.result.external_id,
                c.result.external_number,
                c.result.error_code,
                c.result.error_message,
                c.result.error_retryable,
                c.result.event_id,
                c.result.occurred_at,
                c.seq,
                c.result.number,
                c.result.customer_name,
                c.result.amount,
                c.result.currency,
            )
            for c in changes
        ],
    )


async def list_invoices(
    conn: asyncpg.Connection,
    batch_id: UUID,
    *,
    status: InvoiceStatus | None,
    after: tuple[int, str] | None,
    limit: int,
) -> list[asyncpg.Record]:
    position, invoice_id = after if after is not None else (-1, "")
    return list(
        await conn.fetch(
            """
            SELECT * FROM push_batch_invoices
            WHERE batch_id = $1 AND ($2::text IS NULL OR status = $2)
              AND (position, invoice_id) > ($3, $4)
            ORDER BY position, invoice_id
            LIMIT $5
            """,
            batch_id,
            status.value if status is not None else None,
            position,
            invoice_id,
            limit,
        )
    )


async def failed_invoice_ids(conn: asyncpg.Connection, batch_id: UUID) -> list[str]:
    rows = await conn.fetch(
        "SELECT invoice_id FROM push_batch_invoices WHERE batch_id = $1 AND status = 'failed' "
        "ORDER BY position, invoice_id",
        batch_id,
    )
    return [r["invoice_id"] for r in rows]


async def open_batch_of(
    conn: asyncpg.Connection, tenant_id: str, invoice_ids: Sequence[str]
) -> dict[str, UUID]:
    """For each of these invoices still pending in an unfinished batch, the earliest such
    batch."""
    rows = await conn.fetch(
        """
        SELECT DISTINCT ON (i.invoice_id) i.invoice_id, i.batch_id FROM push_batch_invoices i
        JOIN push_batches b USING (batch_id)
        WHERE b.tenant_id = $1 AND i.invoice_id = ANY($2::text[])
          AND i.status = 'pending' AND b.completed_at IS NULL
        ORDER BY i.invoice_id, b.started_at
        """,
        tenant_id,
        list(invoice_ids),
    )
    return {r["invoice_id"]: r["batch_id"] for r in rows}
