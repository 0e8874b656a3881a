"""SQL for `invoice_snapshots`: the newest version of every MediaOS invoice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.contract.invoices import InvoiceSnapshot


async def store_if_newer(
    conn: asyncpg.Connection, tenant_id: str, event_type: str, invoice: InvoiceSnapshot
) -> int | None:
    """Keeps the highest version: None when this one was stored, else the version already
    held (equal or newer). One round trip when the version is new."""
    stored = await conn.fetchrow(
        """
        INSERT INTO invoice_snapshots AS s (tenant_id, invoice_id, version, event_type, snapshot)
        VALUES ($1, $2, $3, $4, $5::jsonb)
        ON CONFLICT (tenant_id, invoice_id) DO UPDATE SET
            version = EXCLUDED.version, event_type = EXCLUDED.event_type,
            snapshot = EXCLUDED.snapshot, received_at = now()
        WHERE s.version < EXCLUDED.version
        RETURNING 1
        """,
        tenant_id,
        invoice.invoice_id,
        invoice.version,
        event_type,
        invoice.model_dump_json(),
    )
    if stored is not None:
        return None
    current: int = await conn.fetchval(
        "SELECT version FROM invoice_snapshots WHERE tenant_id = $1 AND invoice_id = $2",
        tenant_id,
        invoice.invoice_id,
    )
    return current


@dataclass(frozen=True, slots=True)
class StoredInvoice:
    event_type: str
    snapshot: InvoiceSnapshot


async def get(conn: asyncpg.Connection, tenant_id: str, invoice_id: str) -> StoredInvoice | None:
    """The newest snapshot held of the invoice, with the event that brought it."""
    row = await conn.fetchrow(
        "SELECT event_type, snapshot FROM invoice_snapshots "
        "WHERE tenant_id = $1 AND invoice_id = $2",
        tenant_id,
        invoice_id,
    )
    if row is None:
        return None
    return StoredInvoice(row["event_type"], InvoiceSnapshot.model_validate_json(row["snapshot"]))


@dataclass(frozen=True, slots=True)
class NewSnapshot:
    tenant_id: str
    invoice_id: str
    version: int
    event_type: str
    snapshot_json: str


@dataclass(frozen=True, slots=True)
class StoreAnswer:
    prior: int | None  # the version held before this statement
    stored: bool


# The main query and every WITH sub-statement see the table as it was before the statement,
# so `prior` is the version held before the upsert. It is looked up per row through the
# primary key (a join would let the planner scan the whole table). A row another
# transaction changed after that snapshot (the upsert waits for it, then sees its version)
# is left alone: the caller redoes that invoice, as `prior` no longer describes it.
_STORE_MANY = """
WITH i AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[])
        AS i(tenant_id, invoice_id, version, event_type, snapshot)
),
up AS (
    INSERT INTO invoice_snapshots AS s (tenant_id, invoice_id, version, event_type, snapshot)
    SELECT tenant_id, invoice_id, version, event_type, snapshot::jsonb
    FROM i ORDER BY tenant_id, invoice_id
    ON CONFLICT (tenant_id, invoice_id) DO UPDATE SET
        version = EXCLUDED.version, event_type = EXCLUDED.event_type,
        snapshot = EXCLUDED.snapshot, received_at = now()
    WHERE s.version < EXCLUDED.version
      AND s.version IS NOT DISTINCT FROM (
          SELECT x.version FROM invoice_snapshots x
          WHERE x.tenant_id = EXCLUDED.tenant_id AND x.invoice_id = EXCLUDED.invoice_id)
    RETURNING s.tenant_id, s.invoice_id
)
SELECT i.tenant_id, i.invoice_id,
    (SELECT s.version FROM invoice_snapshots s
     WHERE s.tenant_id = i.tenant_id AND s.invoice_id = i.invoice_id) AS prior,
    u.invoice_id IS NOT NULL AS stored
FROM i LEFT JOIN up u USING (tenant_id, invoice_id)
"""


async def store_many(
    conn: asyncpg.Connection, rows: Sequence[NewSnapshot]
) -> dict[tuple[str, str], StoreAnswer]:
    """Stores each row whose version is above the one held, in one statement (at most one
    row per invoice). Per invoice: the version held before (read in the statement's
    snapshot) and whether this row was stored; a row is stored only if that version is
    still the one held. Rows are locked in key order, so concurrent batches cannot deadlock
    on each other."""
    if not rows:
        return {}
    answers = await conn.fetch(
        _STORE_MANY,
        [r.tenant_id for r in rows],
        [r.invoice_id for r in rows],
        [r.version for r in rows],
        [r.event_type for r in rows],
        [r.snapshot_json for r in rows],
    )
    return {
        (a["tenant_id"], a["invoice_id"]): StoreAnswer(a["prior"], a["stored"]) for a in answers
    }
