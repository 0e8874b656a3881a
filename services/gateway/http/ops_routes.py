"""The operator's dashboard: JSON overview, its live stream, page tokens and the page."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel

from services.contract.common import UtcDatetime, utc_now
from services.gateway.auth.dependencies import CurrentPrincipal
from services.gateway.http.deps import BaseUrl, DbPool, OpsConfig, Settings, StatsReader
from services.gateway.http.page_routes import static_page
from services.gateway.http.problems import Problem
from services.gateway.ops.auth import OpsViewer, page_secret
from services.gateway.ops.overview import build_overview
from services.gateway.ops.page_token import mint_ops_token, ops_key
from services.gateway.ops.schemas import OpsOverview
from services.gateway.ops.stream import overview_stream

router = APIRouter(tags=["ops"])


class OpsPageToken(BaseModel):
    token: str
    expires_at: UtcDatetime
    page: str


@router.get("/v1/ops/overview", response_model=OpsOverview)
async def ops_overview(
    _viewer: OpsViewer, pool: DbPool, stats: StatsReader, base_url: BaseUrl
) -> OpsOverview:
    """Operator only (or an ops page token): tenants by connection state, failures of the
    last hour/day by code and tenant, batches in progress, throttled realms, consumer lag,
    dead-lettered and parked messages. Each number links to the list behind it."""
    return await build_overview(pool, await stats.read(), base_url, utc_now())


@router.get(
    "/v1/ops/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Event stream."}},
)
async def ops_events(
    _viewer: OpsViewer, pool: DbPool, stats: StatsReader, base_url: BaseUrl, ops: OpsConfig
) -> StreamingResponse:
    """`text/event-stream` of `overview` events (the body of GET /v1/ops/overview), sent
    when the numbers change."""

    async def read() -> OpsOverview:
        return await build_overview(pool, await stats.read(), base_url, utc_now())

    first = await read()
    return StreamingResponse(
        overview_stream(read, first, refresh_seconds=ops.ops_refresh_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/v1/ops/page-token", status_code=201, response_model=OpsPageToken)
async def ops_page_token(
    principal: CurrentPrincipal, settings: Settings, base_url: BaseUrl
) -> OpsPageToken:
    """Operator only: a short-lived, read-only token (and page URL) for the ops page."""
    if not principal.operator:
        raise Problem(403, "Forbidden", "Only the operator may open the ops page.")
    expires_at = utc_now().replace(microsecond=0) + timedelta(
        seconds=settings.gateway_page_token_ttl_seconds
    )
    token = mint_ops_token(ops_key(page_secret(settings)), int(expires_at.timestamp()))
    page = f"{base_url}/ops?{urlencode({'access_token': token})}"
    return OpsPageToken(token=token, expires_at=expires_at, page=page)


@router.get("/ops", response_class=HTMLResponse)
async def ops_page() -> HTMLResponse:
    """The ops dashboard (read-only). Open the `page` URL of POST /v1/ops/page-token; the
    page itself holds no data and reads everything through the API."""
    return static_page("ops.html")
