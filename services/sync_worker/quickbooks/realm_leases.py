"""SQL for `realm_leases` (0007_realm_leases.sql): which replica sends a realm's requests.

Times are the database's (`clock_timestamp()`); replicas only ever exchange ages (seconds
before a statement ran), so their own clocks are never compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.platform.rows import unnest_arrays

from .rate_window import Takeover

# A replica takes a free realm only while it holds less than its fair share of the realms
# being served (live replicas from `worker_heartbeats`), so a second replica gets half the
# companies instead of watching the first hold them all. A refused realm is left to the
# others: the claim skips it once another replica has leased it.
_ACQUIRE_SQL = """
WITH share AS (
    SELECT
        (SELECT count(*) FROM realm_leases
         WHERE owner = $2 AND lease_until > clock_timestamp()) AS mine,
        (SELECT count(*) FROM realm_leases
         WHERE owner IS NOT NULL AND lease_until > clock_timestamp()) AS active,
        greatest((SELECT count(*) FROM worker_heartbeats
                  WHERE last_seen > now() - make_interval(secs => $4)), 1) AS live
)
INSERT INTO realm_leases AS l (realm_id, owner, lease_until)
SELECT $1, $2, clock_timestamp() + make_interval(secs => $3) FROM share
WHERE share.mine < ceil((share.active + 1)::numeric / share.live)
ON CONFLICT (realm_id) DO UPDATE SET
    owner = EXCLUDED.owner, epoch = l.epoch + 1, lease_until = EXCLUDED.lease_until,
    prev_until = l.lease_until, prev_clean = (l.owner IS NULL)
WHERE l.owner IS NULL OR l.owner = EXCLUDED.owner OR l.lease_until < clock_timestamp()
RETURNING epoch, prev_clean,
    ARRAY(SELECT extract(epoch FROM clock_timestamp())::float8 - h FROM unnest(history) AS h)
        AS ages,
    extract(epoch FROM clock_timestamp() - history_at)::float8 AS checkpoint_age,
    extract(epoch FROM clock_timestamp() - prev_until)::float8 AS lease_end_age
"""

# A realm missing from RETURNING is no longer ours. Renewing after the lease ran out is safe
# while owner and epoch still match: nobody else can have taken it in between.
_RENEW_SQL = """
UPDATE realm_leases AS l SET
    lease_until = clock_timestamp() + make_interval(secs => $4),
    history = ARRAY(SELECT extract(epoch FROM clock_timestamp())::float8 - a
                     FROM unnest(r.ages::float8[]) AS a),
    history_at = clock_timestamp()
FROM unnest($1::text[], $2::bigint[], $3::text[]) AS r(realm_id, epoch, ages)
WHERE l.realm_id = r.realm_id AND l.owner = $5 AND l.epoch = r.epoch
RETURNING l.realm_id
"""

_RELEASE_SQL = """
UPDATE realm_leases AS l SET
    owner = NULL, lease_until = clock_timestamp(),
    history = ARRAY(SELECT extract(epoch FROM clock_timestamp())::float8 - a
                    FROM unnest(r.ages::float8[]) AS a),
    history_at = clock_timestamp()
FROM unnest($1::text[], $2::bigint[], $3::text[]) AS r(realm_id, epoch, ages)
WHERE l.realm_id = r.realm_id AND l.owner = $4 AND l.epoch = r.epoch
"""


@dataclass(frozen=True, slots=True)
class Lease:
    realm_id: str
    epoch: int
    takeover: Takeover


@dataclass(frozen=True, slots=True)
class Checkpoint:
    realm_id: str
    epoch: int
    ages: Sequence[float]


def _array_literal(ages: Sequence[float]) -> str:
    return "{" + ",".join(f"{a:.4f}" for a in ages) + "}"


def _checkpoint_columns(held: Sequence[Checkpoint]) -> list[list[object]]:
    """The `r(realm_id, epoch, ages)` arrays of the renew and release statements."""
    return [*unnest_arrays(held, "realm_id", "epoch"), [_array_literal(c.ages) for c in held]]


class RealmLeaseStore:
    def __init__(self, pool: asyncpg.Pool, owner: str, *, live_within: float = 15.0) -> None:
        """`live_within`: a replica whose heartbeat is older than this counts as gone."""
        self._pool = pool
        self.owner = owner
        self._live_within = live_within

    async def acquire(self, realm_id: str, lease_seconds: float) -> Lease | None:
        """The lease, or None while another replica holds it or this one has its share."""
        row = await self._pool.fetchrow(
            _ACQUIRE_SQL, realm_id, self.owner, lease_seconds, self._live_within
        )
        if row is None:
            return None
        unrecorded = None
        if not row["prev_clean"] and row["lease_end_age"] is not None:
            unrecorded = (float(row["checkpoint_age"]), float(row["lease_end_age"]))
        takeover = Takeover(tuple(float(a) for a in row["ages"]), unrecorded)
        return Lease(realm_id, int(row["epoch"]), takeover)

    async def renew(self, held: Sequence[Checkpoint], lease_seconds: float) -> set[str]:
        """Extends and checkpoints every held realm in one statement; returns those renewed."""
        rows = await self._pool.fetch(
            _RENEW_SQL,
            *_checkpoint_columns(held),
            lease_seconds,
            self.owner,
        )
        return {r["realm_id"] for r in rows}

    async def release(self, held: Sequence[Checkpoint]) -> None:
        """Hands realms back with their send history, so the next holder waits no longer
        than the windows require."""
        await self._pool.execute(
            _RELEASE_SQL,
            *_checkpoint_columns(held),
            self.owner,
        )
