"""Intuit's OAuth 2 token endpoint (refresh grant only), with rotating refresh tokens."""

from __future__ import annotations

import asyncio
import base64
import binascii
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ..domain.realm import Realm
from ..domain.tokens import TokenError
from .context import get_context
from .drop import DroppedResponse
from .pipeline import injected_failure

router = APIRouter()
LABEL = "token"
NO_STORE = {"cache-control": "no-cache, no-store", "pragma": "no-cache"}


def _oauth_error(error: str, status: int) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status, headers=NO_STORE)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def _record(realm: Realm | None, status: int) -> None:
    if realm is not None:
        realm.stats.record(LABEL, status)


@router.post("/oauth2/v1/tokens/bearer")
async def token(request: Request) -> Response:
    """The client authenticates with the app's credentials; the realm is the one the refresh
    token was issued for, and the credentials must be that realm's (constant-time compare)."""
    ctx = get_context(request)
    credentials = _basic_credentials(request)
    if credentials is None or not ctx.sandbox.client_known(*credentials):
        return _oauth_error("invalid_client", 401)
    # Per-realm credentials name a realm even before the grant is read (for stats only).
    client_realm = ctx.sandbox.by_client_id(credentials[0])
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    grant_type = form.get("grant_type", [""])[0]
    refresh_token = form.get("refresh_token", [""])[0]
    if grant_type != "refresh_token":
        _record(client_realm, 400)
        return _oauth_error("unsupported_grant_type", 400)
    if not refresh_token:
        _record(client_realm, 400)
        return _oauth_error("invalid_request", 400)
    realm = ctx.sandbox.by_refresh_token(refresh_token)
    if realm is None:
        _record(client_realm, 400)
        return _oauth_error("invalid_grant", 400)
    if not realm.tokens.client_matches(*credentials):
        return _oauth_error("invalid_client", 401)
    fired = realm.faults.fire(LABEL)
    if fired.latency_ms:
        await asyncio.sleep(fired.latency_ms / 1000)
    now = ctx.clock()
    rule = fired.terminal
    if rule is not None and rule.kind in ("throttle", "server_error"):
        realm.stats.record(
            LABEL,
            429 if rule.kind == "throttle" else rule.status,
            throttled=rule.kind == "throttle",
        )
        return injected_failure(rule, False, now, realm.settings.tz_offset_minutes)
    settings = realm.settings
    try:
        pair = realm.tokens.refresh(
            refresh_token,
            now,
            settings.access_token_ttl_seconds,
            settings.refresh_token_ttl_seconds,
            settings.refresh_replay_grace_seconds,
        )
    except TokenError as exc:
        realm.stats.record(LABEL, 400)
        return _oauth_error(exc.error, 400)
    realm.stats.record(LABEL, 200)
    ctx.persist(realm)
    if rule is not None and rule.kind == "drop_after_commit":
        return DroppedResponse(rule.hang_seconds, rule.mode)
    body = {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "token_type": "bearer",
        "expires_in": pair.expires_in,
        "x_refresh_token_expires_in": pair.refresh_expires_in,
    }
    return JSONResponse(body, headers=NO_STORE)


@router.get("/.well-known/openid_configuration")
@router.get("/.well-known/openid_sandbox_configuration")
async def discovery(request: Request) -> JSONResponse:
    """Intuit's OpenID discovery document, pointing at this server. Intuit's own OAuth
    client (intuit-oauth) reads it when its `environment` is a discovery URL."""
    base = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/connect/oauth2",
            "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
            "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
            "revocation_endpoint": f"{base}/oauth2/v1/tokens/revoke",
            "jwks_uri": f"{base}/oauth2/v1/keys",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }
    )
