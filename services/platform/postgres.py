"""asyncpg pool creation and the plain-SQL migration runner."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

import asyncpg
import structlog

from services.platform.db_metrics import count_round_trips

log = structlog.get_logger(__name__)

# Any constant works: it only serialises concurrent migrators of the same cluster.
_MIGRATION_LOCK_ID = 0x5EC0_0001


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release without asyncpg's server-side reset (advisory unlock, UNLISTEN, RESET ALL): that
    query cost one round trip per acquire, about a third of all statements. asyncpg still rolls
    back an open transaction and drops listener callbacks on release. So pooled code must undo
    any session state itself: the outbox relay unlocks its advisory lock and UNLISTENs in a
    `finally`; nothing else sets session state on a pooled connection."""
    return None


async def create_pool(
    dsn: str, schema: str, *, min_size: int = 1, max_size: int = 10
) -> asyncpg.Pool:
    """A pool on `schema` whose statements count as `db_round_trips_total{service=schema}`."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        server_settings={"search_path": f"{schema},public", "application_name": schema},
        init=count_round_trips(schema),
        reset=_keep_session,
    )
    assert pool is not None
    return pool


# Tables of the platform's own code (outbox, parked messages, consumed-event dedup), created in
# every service's schema before the service's files run. Recorded as `platform/NNNN_name.sql` so
# their names cannot collide with a service's own.
PLATFORM_MIGRATIONS = "services.platform.migrations"
_PLATFORM_PREFIX = "platform/"


def _sql_files(package: str) -> list[Traversable]:
    root = resources.files(package)
    return sorted((f for f in root.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)


def _migrations(package: str) -> list[tuple[str, Traversable]]:
    """(name recorded in schema_migrations, file), in the order they apply."""
    platform = [(_PLATFORM_PREFIX + f.name, f) for f in _sql_files(PLATFORM_MIGRATIONS)]
    return platform + [(f.name, f) for f in _sql_files(package)]


async def apply_migrations(dsn: str, schema: str, package: str) -> list[str]:
    """Applies the platform's migrations, then the `NNNN_name.sql` files of `package`, each
    unless already recorded in `schema`; returns the names it applied.

    Safe with many replicas starting at once: an advisory lock serialises them.
    """
    conn = await asyncpg.connect(dsn)
    applied_now: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK_ID)
        try:
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            await conn.execute(f'SET search_path TO "{schema}", public')
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
            for name, file in _migrations(package):
                if name in done:
                    continue
                async with conn.transaction():
                    await conn.execute(file.read_text(encoding="utf-8"))
                    await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                applied_now.append(name)
                log.info("migration_applied", schema=schema, migration=name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK_ID)
    finally:
        await conn.close()
    return applied_now
