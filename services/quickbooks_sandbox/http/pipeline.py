"""What every `/v3` call goes through: auth, fault injection, throttle, requestid replay,
the operation itself, stats, and (for `drop_after_commit`) a response that never arrives."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response

from ..domain import errors
from ..domain.errors import JsonDict, QboFault
from ..domain.faults import FaultRule
from ..domain.idempotency import (
    MAX_BATCH_REQUEST_ID_LENGTH,
    MAX_REQUEST_ID_LENGTH,
    StoredResponse,
)
from ..domain.realm import Realm
from .context import SandboxContext
from .drop import DroppedResponse
from .responses import fault_response, gateway_error, qbo_json, throttle_response, timed

Action = Callable[[Realm, float], JsonDict]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _auth_fault(
    ctx: SandboxContext, realm: Realm | None, token: str | None, now: float
) -> QboFault | None:
    if token is None:
        return errors.authentication_failed("Token invalid: no bearer access token supplied")
    if realm is not None:
        state = realm.tokens.access_state(token, now)
        if state == "valid":
            return None
        if state == "expired":
            return errors.authentication_failed("Token expired: the access token has expired")
    if ctx.sandbox.token_owner(token, now) is not None:
        return errors.authorization_failed("The access token was not issued for this company")
    return errors.authentication_failed("Token invalid: unknown access token")


def injected_failure(rule: FaultRule, as_xml: bool, now: float, offset: int) -> Response:
    if rule.kind == "throttle":
        return throttle_response(rule.xml or as_xml, now, offset)
    if rule.status == 500:
        return fault_response(errors.system_fault(500), now, offset)
    return gateway_error(rule.status)


def _not_admitted(realm: Realm, label: str, calls: int, batch: bool, now: float) -> Response | None:
    """An oversized batch or a request over the throttle's limits; None when admitted."""
    offset = realm.settings.tz_offset_minutes
    if batch and calls > realm.settings.batch_max_items:
        # Refused before it is counted: an oversized batch is 1040, never 429.
        fault = errors.batch_too_large(calls, realm.settings.batch_max_items)
        realm.stats.record(label, fault.http_status)
        return fault_response(fault, now, offset)
    refusal = realm.throttle.admit(now, calls, batch=batch)
    if refusal is not None:
        realm.stats.record(label, 429, throttled=True)
        fault = errors.throttled(refusal.window, refusal.limit, refusal.retry_after)
        return throttle_response(realm.settings.throttle_as_xml, now, offset, fault)
    return None


def _answer(
    ctx: SandboxContext,
    realm: Realm,
    action: Action,
    request_id: str | None,
    replayable: bool,
    now: float,
) -> StoredResponse:
    """The operation's answer, or the one stored for a repeated requestid."""
    stored = realm.replays.get(request_id) if request_id else None
    if stored is not None:
        return stored
    offset = realm.settings.tz_offset_minutes
    try:
        stored = StoredResponse(200, timed(action(realm, now), now, offset))
    except QboFault as fault:
        stored = StoredResponse(fault.http_status, timed(fault.fault_body(), now, offset))
    if request_id:
        realm.replays.put(request_id, stored)
    if replayable:  # the POST routes: the only ones that change a realm
        ctx.persist(realm)
    return stored


async def run_v3(
    ctx: SandboxContext,
    request: Request,
    realm_id: str,
    label: str,
    action: Action,
    calls: int = 1,
    replayable: bool = False,
    batch: bool = False,
) -> Response:
    now = ctx.clock()
    realm = ctx.sandbox.get(realm_id)
    auth = _auth_fault(ctx, realm, _bearer(request), now)
    if auth is not None or realm is None:
        fault = auth or errors.authentication_failed("Unknown company")
        if realm is not None:
            realm.stats.record(label, fault.http_status)
        return fault_response(fault, now)
    offset = realm.settings.tz_offset_minutes
    refused = _not_admitted(realm, label, calls, batch, now)
    if refused is not None:
        return refused
    # Faults are consumed only by requests that got past the real throttle.
    fired = realm.faults.fire(label)
    delay = fired.latency_ms / 1000 + ctx.latency_for(realm, calls if batch else 1)
    if delay > 0:
        await asyncio.sleep(delay)
        now = ctx.clock()
    rule = fired.terminal
    if rule is not None and rule.kind == "throttle":
        realm.stats.record(label, 429, throttled=True)
        return throttle_response(rule.xml or realm.settings.throttle_as_xml, now, offset)
    if rule is not None and rule.kind == "server_error":
        realm.stats.record(label, rule.status)
        return injected_failure(rule, realm.settings.throttle_as_xml, now, offset)

    request_id = request.query_params.get("requestid") if replayable else None
    longest = MAX_BATCH_REQUEST_ID_LENGTH if batch else MAX_REQUEST_ID_LENGTH
    if request_id is not None and len(request_id) > longest:
        fault = errors.string_too_long("requestid", longest, len(request_id))
        realm.stats.record(label, fault.http_status)
        return fault_response(fault, now, offset)
    stored = _answer(ctx, realm, action, request_id, replayable, now)
    realm.stats.record(label, stored.status)
    realm.stats.ran(label, calls)
    if rule is not None and rule.kind == "drop_after_commit":
        return DroppedResponse(rule.hang_seconds, rule.mode)
    return qbo_json(stored.body, stored.status)
