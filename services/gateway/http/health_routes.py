from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.gateway.http.deps import DbPool, KafkaReady
from services.gateway.http.problems import RETRY_AFTER_SECONDS
from services.platform.kafka_topics import readiness_details

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process serves requests. Does not depend on Kafka or QuickBooks."""
    return {"status": "ok"}


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, str]
    details: dict[str, Any]


_NOT_READY = {
    "model": Readiness,
    "description": "Not ready: PostgreSQL or Kafka does not answer (`checks` says which).",
    "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
}


@router.get("/readyz", response_model=Readiness, responses={503: _NOT_READY})
async def readyz(pool: DbPool, kafka_ready: KafkaReady) -> JSONResponse:
    """Readiness: PostgreSQL answers and the Kafka client is connected. `details.topics`
    reports topic configs that drift from their specs (without affecting readiness)."""
    checks: dict[str, str] = {}
    try:
        async with pool.acquire(timeout=2) as conn:
            await conn.fetchval("SELECT 1")
        checks["postgres"] = "ok"
    except Exception as exc:  # any failure means not ready
        checks["postgres"] = f"failed: {type(exc).__name__}"
    checks["kafka"] = "ok" if await kafka_ready() else "failed"
    ready = all(v == "ok" for v in checks.values())
    # Topic config drift is reported, not fatal: every replica would drop out at once.
    details = {"topics": await readiness_details()}
    return JSONResponse(
        {"ready": ready, "checks": checks, "details": details},
        status_code=200 if ready else 503,
        headers=None if ready else {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
