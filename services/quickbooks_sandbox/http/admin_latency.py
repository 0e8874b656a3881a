"""`/_sandbox` latency profiles: global (`/_sandbox/latency`) and per realm."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..domain.errors import JsonDict
from ..domain.latency import LatencyProfile, latency_from_spec
from .admin_routes import _admin, _realm
from .context import SandboxContext

router = APIRouter(prefix="/_sandbox")


def _describe(profile: LatencyProfile | None) -> JsonDict | None:
    return profile.describe() if profile is not None else None


@router.get("/latency")
async def get_latency(request: Request) -> Response:
    def work(ctx: SandboxContext, _: dict[str, Any]) -> tuple[int, JsonDict]:
        return 200, {"latency": _describe(ctx.latency)}

    return await _admin(request, work)


@router.put("/latency")
async def put_latency(request: Request) -> Response:
    """Body: `{"profile": "intuit"|"off"}` or `{"p50_ms": 300, "p99_ms": 1200}`."""

    def work(ctx: SandboxContext, body: dict[str, Any]) -> tuple[int, JsonDict]:
        ctx.latency = latency_from_spec(body)
        return 200, {"latency": _describe(ctx.latency)}

    return await _admin(request, work)


@router.put("/realms/{realm_id}/latency")
async def put_realm_latency(realm_id: str, request: Request) -> Response:
    """Same body; `{"profile": "global"}` goes back to the global profile, `off` disables
    latency for this realm even when a global profile is set."""

    def work(ctx: SandboxContext, body: dict[str, Any]) -> tuple[int, JsonDict]:
        realm = _realm(ctx, realm_id)
        if body.get("profile") == "global":
            realm.latency, realm.latency_off = None, False
        else:
            realm.latency = latency_from_spec(body)
            realm.latency_off = realm.latency is None
        effective = None if realm.latency_off else (realm.latency or ctx.latency)
        return 200, {"latency": _describe(effective), "own": realm.latency is not None}

    return await _admin(request, work)
