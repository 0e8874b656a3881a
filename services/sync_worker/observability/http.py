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

from services.platform.readiness import check_readiness


def build_health_app(
    pool: Callable[[], asyncpg.Pool | None], kafka_ready: Callable[[], Awaitable[bool]]
) -> Starlette:
    async def healthz(_: Request) -> JSONResponse:
        # Liveness only: QuickBooks or Kafka being down must not get the pod restarted.
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> JSONResponse:
        readiness = await check_readiness(pool(), kafka_ready)
        return JSONResponse(readiness.body(), status_code=200 if readiness.ready else 503)

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
