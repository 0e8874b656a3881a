"""Automatic sync units for many invoices in one statement (the ingest of a consumed batch).

Same effect as `work_items.queue_auto` called once per invoice, in the given order: the
invoice's still-queued auto units are superseded, one new auto unit carries the given version,
and executors are woken on `work_items.NOTIFY_CHANNEL` at commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.platform.rows import unnest_arrays
from services.sync_worker.invoices.versions import InvoiceKey, Version
from services.sync_worker.sync.work_items import NOTIFY_CHANNEL, PRIORITY_AUTO

# Every sub-statement sees the table as it was before the statement: the units inserted by
# `ins` are not superseded by `sup`. Ids are drawn in input order, so claims (by priority,
# then id) take the units in the order one-at-a-time queueing would have left them.
# `sup` finds the queued units invoice by invoice through `work_items_open_by_invoice` (its
# predicate, state <> 'done', is the only one the lookup matches; OFFSET 0 keeps the lookups
# apart), collects their ids once, and updates them by primary key. Whatever the statistics
# (a fresh or bulk-loaded table), no plan can scan every queued unit per invoice: joining
# the invoices to the table directly let the planner do that, 12 s for 500 invoices.
_QUEUE_AUTO_MANY = """
WITH i AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) WITH ORDINALITY
        AS i(tenant_id, invoice_id, version, ord)
),
sup AS (
    UPDATE work_items w SET state = 'done', outcome = 'superseded', finished_at = now()
    WHERE w.id = ANY (ARRAY(
        SELECT q.id FROM i CROSS JOIN LATERAL (
            SELECT c.id, c.kind, c.state FROM work_items c
            WHERE c.tenant_id = i.tenant_id AND c.invoice_id = i.invoice_id
              AND c.state <> 'done'
            OFFSET 0
        ) AS q
        WHERE q.kind = 'auto' AND q.state = 'queued'
    ))
      AND w.kind = 'auto' AND w.state = 'queued'
    RETURNING w.id, w.tenant_id, w.invoice_id, w.invoice_version
),
ins AS (
    INSERT INTO work_items (tenant_id, invoice_id, kind, priority, invoice_version)
    SELECT tenant_id, invoice_id, 'auto', $4, version FROM i ORDER BY ord
    RETURNING 1
),
woken AS (SELECT pg_notify($5, '') IS NULL AS sent WHERE EXISTS (SELECT 1 FROM ins))
SELECT s.id, s.tenant_id, s.invoice_id, s.invoice_version
FROM woken LEFT JOIN sup s ON true
ORDER BY s.id
"""


@dataclass(frozen=True, slots=True)
class SupersededUnit:
    id: int
    tenant_id: str
    invoice_id: str
    invoice_version: int | None


async def queue_auto_many(
    conn: asyncpg.Connection, units: Sequence[Version]
) -> dict[InvoiceKey, list[SupersededUnit]]:
    """Queues one auto unit per given invoice version (at most one per invoice); returns,
    per invoice, the still-queued older auto units it superseded, oldest first."""
    if not units:
        return {}
    rows = await conn.fetch(
        _QUEUE_AUTO_MANY,
        *unnest_arrays(units, "tenant_id", "invoice_id", "version"),
        PRIORITY_AUTO,
        NOTIFY_CHANNEL,
    )
    superseded: dict[InvoiceKey, list[SupersededUnit]] = {}
    for r in rows:
        if r["id"] is None:  # the row that carries the wake-up when nothing was superseded
            continue
        unit = SupersededUnit(r["id"], r["tenant_id"], r["invoice_id"], r["invoice_version"])
        superseded.setdefault((unit.tenant_id, unit.invoice_id), []).append(unit)
    return superseded
