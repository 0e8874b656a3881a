"""`db_round_trips_total{service}`: every statement a service sends to PostgreSQL.

Counted with asyncpg's query logger, registered on each pooled connection when the pool
opens it (loggers survive the pool's release). It sees execute, fetch*, executemany and
the statements asyncpg sends itself: BEGIN/COMMIT/ROLLBACK of `transaction()`, the ROLLBACK
of a connection released inside a transaction, and a reset query if the pool used one
(`create_pool` does not). Not seen: COPY, `prepare()`d statements and asyncpg's
type introspection (none is used on a hot path today). A first execution of a statement
also costs a Parse round trip that is not counted separately.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from asyncpg.connection import LoggedQuery
from prometheus_client import Counter

DB_ROUND_TRIPS = Counter(
    "db_round_trips_total",
    "Statements sent to PostgreSQL (execute, fetch, executemany, BEGIN/COMMIT/ROLLBACK).",
    ["service"],
)


def count_round_trips(service: str) -> Callable[[asyncpg.Connection], Awaitable[None]]:
    """A pool `init` hook that counts every statement of the connection under `service`."""
    counter = DB_ROUND_TRIPS.labels(service)

    def on_query(_record: LoggedQuery) -> None:
        counter.inc()

    async def init(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(on_query)

    return init
