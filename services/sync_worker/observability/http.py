"""`/healthz`, `/readyz` and `/metrics` of a worker replica (WORKER_HTTP_PORT)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator

import asyncpg
import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.platform.kafka_topics import readiness_details


def build_health_app(
    pool: Callable[[], asyncpg.Pool | None], kafka_ready: Callable[[], Awaitable[bool]]
) -> Starlette:
    async def healthz(_: Request) -> JSONResponse:
        # Liveness only: QuickBooks or Kafka being down must not get the pod restarted.
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> JSONResponse:
        checks: dict[str, str] = {}
        current = pool()
        try:
            if current is None:
                raise RuntimeError("not started")
            async with current.acquire(timeout=2) as conn:
                await conn.fetchval("SELECT 1")
            checks["postgres"] = "ok"
        except Exception as exc:  # any failure means not ready
            checks["postgres"] = f"failed: {type(exc).__name__}"
        try:
            checks["kafka"] = "ok" if await kafka_ready() else "failed"
        except Exception as exc:
            checks["kafka"] = f"failed: {type(exc).__name__}"
        ready = all(v == "ok" for v in checks.values())
        # Topic config drift is reported, not fatal: every replica would drop out at once.
        details = {"topics": await readiness_details()}
        return JSONResponse(
            {"ready": ready, "checks": checks, "details": details},
            status_code=200 if ready else 503,
        )

    async def prometheus(_: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", prometheus),
        ]
    )


class EmbeddedServer(uvicorn.Server):
    """Runs inside the worker's event loop; the worker, not uvicorn, owns SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def health_server(app: Starlette, host: str, port: int) -> EmbeddedServer:
    return EmbeddedServer(
        uvicorn.Config(
            app, host=host, port=port, log_level="warning", lifespan="off", log_config=None
        )
    )
