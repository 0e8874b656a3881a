from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.gateway.http.deps import DbPool, KafkaReady
from services.gateway.http.problems import RETRY_AFTER_SECONDS
from services.platform.readiness import check_readiness

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
    readiness = await check_readiness(pool, kafka_ready)
    return JSONResponse(
        readiness.body(),
        status_code=200 if readiness.ready else 503,
        headers=None if readiness.ready else {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
