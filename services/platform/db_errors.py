"""What a database outage looks like to asyncpg code, and how a loop that must keep running
reports an error: an outage as a warning, anything else (a bug) with its traceback."""

from __future__ import annotations

from typing import Any

import asyncpg

DB_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


def log_loop_error(log: Any, event: str, exc: Exception) -> None:
    if isinstance(exc, DB_ERRORS):
        log.warning(event, error=repr(exc))
    else:
        log.exception(event)
