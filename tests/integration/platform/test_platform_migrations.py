"""The platform's tables (`processed_events`, `outbox`, `parked_messages`) come from one platform
migration that every service applies before its own (real PostgreSQL).

A fresh install must give them exactly the shape the services' own migrations gave them before
the DDL moved (the EXPECTED_* tables are the catalog of schemas built by those old migrations,
the same for both services), and an existing install, where the tables exist and the platform
migration is not recorded, must take the migration as a no-op."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import NamedTuple

import asyncpg
import pytest

from services.platform.postgres import apply_migrations

pytestmark = pytest.mark.integration

SERVICES = ("gateway", "sync_worker")
PLATFORM_TABLES = ("outbox", "parked_messages", "processed_events")
PLATFORM_MIGRATION = "platform/0001_outbox.sql"

Column = tuple[str, str, str, str, str | None]  # table, column, type, nullable, default
Index = tuple[str, str, str]  # table, index, definition (schema name removed)
Constraint = tuple[str, str, str]  # table, constraint, type


class Catalog(NamedTuple):
    columns: list[Column]
    indexes: list[Index]
    constraints: list[Constraint]


EXPECTED = Catalog(
    columns=[
        ("outbox", "id", "bigint", "NO", "nextval('outbox_id_seq'::regclass)"),
        ("outbox", "topic", "text", "NO", None),
        ("outbox", "key", "bytea", "YES", None),
        ("outbox", "value", "bytea", "NO", None),
        ("outbox", "headers", "jsonb", "NO", "'[]'::jsonb"),
        ("outbox", "created_at", "timestamp with time zone", "NO", "now()"),
        ("parked_messages", "id", "bigint", "NO", "nextval('parked_messages_id_seq'::regclass)"),
        ("parked_messages", "outbox_id", "bigint", "YES", None),
        ("parked_messages", "topic", "text", "NO", None),
        ("parked_messages", "key", "bytea", "YES", None),
        ("parked_messages", "value", "bytea", "NO", None),
        ("parked_messages", "headers", "jsonb", "NO", "'[]'::jsonb"),
        ("parked_messages", "size_bytes", "integer", "NO", None),
        ("parked_messages", "reason", "text", "NO", None),
        ("parked_messages", "created_at", "timestamp with time zone", "NO", None),
        ("parked_messages", "parked_at", "timestamp with time zone", "NO", "now()"),
        ("processed_events", "event_id", "uuid", "NO", None),
        ("processed_events", "topic", "text", "NO", None),
        ("processed_events", "processed_at", "timestamp with time zone", "NO", "now()"),
    ],
    indexes=[
        ("outbox", "outbox_pkey", "CREATE UNIQUE INDEX outbox_pkey ON outbox USING btree (id)"),
        (
            "parked_messages",
            "parked_messages_parked_at",
            "CREATE INDEX parked_messages_parked_at ON parked_messages USING btree (parked_at)",
        ),
        (
            "parked_messages",
            "parked_messages_pkey",
            "CREATE UNIQUE INDEX parked_messages_pkey ON parked_messages USING btree (id)",
        ),
        (
            "processed_events",
            "processed_events_pkey",
            "CREATE UNIQUE INDEX processed_events_pkey ON processed_events USING btree (event_id)",
        ),
    ],
    constraints=[
        ("outbox", "outbox_pkey", "PRIMARY KEY"),
        ("parked_messages", "parked_messages_pkey", "PRIMARY KEY"),
        ("processed_events", "processed_events_pkey", "PRIMARY KEY"),
    ],
)


async def _catalog(
    conn: asyncpg.Connection, schema: str, tables: tuple[str, ...] | None = None
) -> Catalog:
    """Columns (in table order), indexes and constraints of `schema`'s tables, or of `tables`."""
    where = " WHERE {0} = $1 AND ($2::text[] IS NULL OR {1} = ANY($2))"
    args = (schema, list(tables) if tables is not None else None)
    columns = await conn.fetch(
        "SELECT table_name, column_name, data_type, is_nullable, column_default"
        " FROM information_schema.columns"
        + where.format("table_schema", "table_name")
        + " ORDER BY table_name, ordinal_position",
        *args,
    )
    indexes = await conn.fetch(
        "SELECT tablename, indexname, indexdef FROM pg_indexes"
        + where.format("schemaname", "tablename")
        + " ORDER BY tablename, indexname",
        *args,
    )
    constraints = await conn.fetch(
        "SELECT table_name, constraint_name, constraint_type"
        " FROM information_schema.table_constraints"
        + where.format("table_schema", "table_name")
        + " AND constraint_type <> 'CHECK'"  # the NOT NULLs: already in the columns
        " ORDER BY table_name, constraint_name",
        *args,
    )
    return Catalog(
        [(r[0], r[1], r[2], r[3], _unqualified(r[4], schema)) for r in columns],
        [(r[0], r[1], _unqualified(r[2], schema) or "") for r in indexes],
        [(r[0], r[1], r[2]) for r in constraints],
    )


def _unqualified(text: str | None, schema: str) -> str | None:
    return None if text is None else text.replace(f"{schema}.", "")


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def schema(conn: asyncpg.Connection) -> AsyncIterator[str]:
    name = f"mig_{uuid.uuid4().hex[:10]}"
    try:
        yield name
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.mark.parametrize("service", SERVICES)
async def test_a_fresh_install_gets_the_platform_tables_as_before(
    database_url: str, conn: asyncpg.Connection, schema: str, service: str
) -> None:
    applied = await apply_migrations(database_url, schema, f"services.{service}.migrations")

    assert applied[0] == PLATFORM_MIGRATION  # before the service's own files
    assert applied.count(PLATFORM_MIGRATION) == 1
    assert await _catalog(conn, schema, PLATFORM_TABLES) == EXPECTED


@pytest.mark.parametrize("service", SERVICES)
async def test_an_existing_install_takes_the_platform_migration_as_a_no_op(
    database_url: str, conn: asyncpg.Connection, schema: str, service: str
) -> None:
    package = f"services.{service}.migrations"
    await apply_migrations(database_url, schema, package)
    await conn.execute(f'SET search_path TO "{schema}"')
    await conn.execute(
        "INSERT INTO outbox (topic, value) VALUES ('t', 'v');"
        "INSERT INTO processed_events (event_id, topic) VALUES (gen_random_uuid(), 't');"
        "INSERT INTO parked_messages (topic, value, size_bytes, reason, created_at)"
        " VALUES ('t', 'v', 1, 'too large', now())"
    )
    before = await _catalog(conn, schema)
    # An install made before the platform migration existed: the tables are there (created by
    # the service's own files) and the platform migration is not recorded.
    await conn.execute("DELETE FROM schema_migrations WHERE name = $1", PLATFORM_MIGRATION)

    assert await apply_migrations(database_url, schema, package) == [PLATFORM_MIGRATION]

    assert await _catalog(conn, schema) == before
    for table in PLATFORM_TABLES:
        assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 1, table
    assert await apply_migrations(database_url, schema, package) == []
