from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response, include_in_schema=False)
async def metrics() -> Response:
    """Prometheus text format: requests by route/status, SSE clients, results consumed."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
