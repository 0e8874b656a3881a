"""Serves the progress window (static; it reads everything through the API)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from services.gateway.http.params import BatchId

router = APIRouter(tags=["progress window"])


@cache
def _html(name: str) -> str:
    return resources.files("services.gateway.page").joinpath(name).read_text("utf-8")


def static_page(name: str) -> HTMLResponse:
    """A page of `services/gateway/page/`: never cached, no referrer, only same-origin calls
    (the page holds no data; it reads everything through the API)."""
    return HTMLResponse(
        _html(name),
        headers={
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; "
            "style-src 'unsafe-inline'; connect-src 'self'",
        },
    )


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
async def progress_window(batch_id: BatchId) -> HTMLResponse:
    """The progress window. Open the `links.page` URL of a push answer (it carries
    `tenant` and a short-lived `access_token` page token); the page itself holds no data."""
    return static_page("progress.html")
