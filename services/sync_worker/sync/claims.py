"""The claim round: one statement takes ready units for every tenant with room."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import asyncpg

from services.sync_worker.sync.work_items import WorkItem, item_of

# One statement per claim round for every tenant with room on this replica: tenants most
# urgent first (pushes before background sync), each up to its room. A tenant whose company
# is paced by another live replica (realm_leases) is left to that replica. Units of one
# invoice run one at a time, oldest first.
_CLAIM_READY_SQL = """
WITH running AS (
    SELECT * FROM unnest($1::text[], $2::int[]) AS r(tenant_id, n)
), ready AS (
    SELECT w.tenant_id, min(w.priority) AS priority, min(w.id) AS first_id
    FROM work_items w
    WHERE w.state = 'queued' AND w.not_before <= now()
    GROUP BY w.tenant_id
), eligible AS (
    SELECT r.tenant_id, $3 - coalesce(b.n, 0) AS room, r.priority, r.first_id
    FROM ready r LEFT JOIN running b USING (tenant_id)
    WHERE $3 - coalesce(b.n, 0) > 0
      AND NOT EXISTS (
          SELECT 1 FROM quickbooks_connections q JOIN realm_leases l USING (realm_id)
          WHERE q.tenant_id = r.tenant_id AND l.owner <> $4 AND l.lease_until > now())
    ORDER BY r.priority, r.first_id
    LIMIT $5
), picked AS (
    SELECT p.id, e.priority, e.first_id FROM eligible e CROSS JOIN LATERAL (
        SELECT c.id FROM work_items c
        WHERE c.tenant_id = e.tenant_id AND c.state = 'queued' AND c.not_before <= now()
          AND (c.invoice_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM work_items o
                WHERE o.tenant_id = c.tenant_id AND o.invoice_id = c.invoice_id
                  AND o.state <> 'done' AND o.id < c.id))
        ORDER BY c.priority, c.id
        LIMIT e.room
        FOR UPDATE OF c SKIP LOCKED) AS p
), limited AS (
    SELECT id FROM picked ORDER BY priority, first_id, id LIMIT $5
)
UPDATE work_items w SET
    state = 'in_flight', attempts = w.attempts + 1, leased_by = $4,
    lease_until = now() + make_interval(secs => $6)
FROM limited WHERE w.id = limited.id
RETURNING w.*
"""


@dataclass(frozen=True, slots=True)
class ClaimRequest:
    """What one claim round asks for: up to `limit` units, at most `per_tenant` running per
    tenant on this replica (`running`: what it runs now), leased to `worker_id`."""

    running: Mapping[str, int]
    per_tenant: int
    limit: int
    worker_id: str
    lease_seconds: float


async def claim_ready(conn: asyncpg.Connection, request: ClaimRequest) -> list[WorkItem]:
    """Claims what `request` asks for, fairly across tenants."""
    rows = await conn.fetch(
        _CLAIM_READY_SQL,
        list(request.running),
        list(request.running.values()),
        request.per_tenant,
        request.worker_id,
        request.limit,
        request.lease_seconds,
    )
    return sorted((item_of(r) for r in rows), key=lambda item: item.id)
