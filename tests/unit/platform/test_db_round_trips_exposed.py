"""Both services' /metrics endpoints expose `db_round_trips_total` by service."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from starlette.types import ASGIApp

from services.gateway.http import metrics_routes
from services.platform.db_metrics import DB_ROUND_TRIPS
from services.sync_worker.observability.http import build_health_app


async def _never_ready() -> bool:
    return False


def _value(text: str, service: str) -> float:
    match = re.search(
        rf'^db_round_trips_total\{{service="{service}"\}} ([0-9.e+]+)$', text, re.MULTILINE
    )
    assert match, text
    return float(match.group(1))


async def test_worker_and_gateway_metrics_show_the_round_trip_counter() -> None:
    DB_ROUND_TRIPS.labels("unit_exposed").inc(3)
    gateway = FastAPI()
    gateway.include_router(metrics_routes.router)
    apps: list[ASGIApp] = [build_health_app(lambda: None, _never_ready), gateway]
    for app in apps:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/metrics")
        assert response.status_code == 200
        assert _value(response.text, "unit_exposed") >= 3
