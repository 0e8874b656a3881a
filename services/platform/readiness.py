"""Readiness of a service replica, shared by the worker's and the gateway's `/readyz`:
PostgreSQL answers and the Kafka client is connected. Any failure of a check, an exception
included, means not ready (503), never an error page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.platform.kafka_topics import readiness_details


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    checks: dict[str, str]
    details: dict[str, Any]

    def body(self) -> dict[str, Any]:
        return {"ready": self.ready, "checks": self.checks, "details": self.details}


async def check_readiness(
    pool: asyncpg.Pool | None, kafka_ready: Callable[[], Awaitable[bool]]
) -> Readiness:
    checks: dict[str, str] = {}
    try:
        if pool is None:
            raise RuntimeError("not started")
        async with pool.acquire(timeout=2) as conn:
            await conn.fetchval("SELECT 1")
        checks["postgres"] = "ok"
    except Exception as exc:
        checks["postgres"] = f"failed: {type(exc).__name__}"
    try:
        checks["kafka"] = "ok" if await kafka_ready() else "failed"
    except Exception as exc:
        checks["kafka"] = f"failed: {type(exc).__name__}"
    # Topic config drift is reported, not fatal: every replica would drop out at once.
    details = {"topics": await readiness_details()}
    return Readiness(all(v == "ok" for v in checks.values()), checks, details)
