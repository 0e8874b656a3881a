"""`/_sandbox` admin API: realms, stats, fault injection, user edits, webhook settings."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ..domain import customers, invoices, items
from ..domain.errors import JsonDict, QboFault
from ..domain.faults import parse_rule
from ..domain.realm import Realm
from ..domain.sandbox import customer_body, realm_summary
from .context import SandboxContext, get_context
from .responses import fault_response

router = APIRouter(prefix="/_sandbox")


class AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise AdminError(400, f"invalid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise AdminError(400, "body must be a JSON object")
    return body


def _realm(ctx: SandboxContext, realm_id: str) -> Realm:
    realm = ctx.sandbox.get(realm_id)
    if realm is None:
        raise AdminError(404, f"unknown realm {realm_id}")
    return realm


async def _admin(
    request: Request,
    work: Callable[[SandboxContext, dict[str, Any]], tuple[int, JsonDict]],
    changes: str | None = None,
) -> Response:
    """Run an admin action; QBO rule violations come back as QBO faults, others as
    `{"error": ...}` with 400/404. `changes` names the realm the action modifies (persisted)."""
    ctx = get_context(request)
    try:
        status, body = work(ctx, await _body(request))
        if changes is not None:
            ctx.persist(ctx.sandbox.get(changes or str(body.get("realm_id"))))
    except AdminError as exc:
        return JSONResponse({"error": exc.message}, status_code=exc.status)
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    except QboFault as fault:
        return fault_response(fault, ctx.clock())
    return JSONResponse(body, status_code=status)


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    ctx = get_context(request)
    return JSONResponse({"status": "ok", "realms": len(ctx.sandbox.realms)})


@router.post("/realms")
async def create_realm(request: Request) -> Response:
    def work(ctx: SandboxContext, body: dict[str, Any]) -> tuple[int, JsonDict]:
        return 201, realm_summary(ctx.sandbox.create_realm(body, ctx.clock()))

    return await _admin(request, work, changes="")


@router.get("/realms/{realm_id}")
async def describe_realm(realm_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, _: dict[str, Any]) -> tuple[int, JsonDict]:
        realm = _realm(ctx, realm_id)
        return 200, {
            "realm_id": realm.realm_id,
            "settings": vars(realm.settings),
            "limits": vars(realm.limits),
            "counts": {name: len(table) for name, table in realm.tables.items()},
        }

    return await _admin(request, work)


@router.get("/realms/{realm_id}/stats")
async def stats(realm_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, _: dict[str, Any]) -> tuple[int, JsonDict]:
        realm = _realm(ctx, realm_id)
        return 200, realm.stats.snapshot(realm.throttle)

    return await _admin(request, work)


@router.post("/realms/{realm_id}/faults")
async def add_fault(realm_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, body: dict[str, Any]) -> tuple[int, JsonDict]:
        realm = _realm(ctx, realm_id)
        rule = parse_rule(body)
        realm.faults.add(rule)
        return 201, {"fault": rule.describe()}

    return await _admin(request, work)


@router.get("/realms/{realm_id}/faults")
async def list_faults(realm_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, _: dict[str, Any]) -> tuple[int, JsonDict]:
        return 200, {"faults": [r.describe() for r in _realm(ctx, realm_id).faults.rules]}

    return await _admin(request, work)


@router.delete("/realms/{realm_id}/faults")
async def clear_faults(realm_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, _: dict[str, Any]) -> tuple[int, JsonDict]:
        realm = _realm(ctx, realm_id)
        cleared = len(realm.faults.rules)
        realm.faults.clear()
        return 200, {"cleared": cleared}

    return await _admin(request, work)


@router.get("/realms/{realm_id}/invoices")
async def list_invoices(realm_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, _: dict[str, Any]) -> tuple[int, JsonDict]:
        rows = [
            {**r.data, "deleted": r.deleted, "voided": r.voided}
            for r in _realm(ctx, realm_id).invoices.rows.values()
        ]
        return 200, {"invoices": rows, "count": len(rows)}

    return await _admin(request, work)


@router.patch("/realms/{realm_id}/invoices/{invoice_id}")
async def edit_invoice(realm_id: str, invoice_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, body: dict[str, Any]) -> tuple[int, JsonDict]:
        record = invoices.user_edit(_realm(ctx, realm_id), invoice_id, body, ctx.clock())
        return 200, {"Invoice": record.data}

    return await _admin(request, work, changes=realm_id)


@router.post("/realms/{realm_id}/invoices/{invoice_id}/void")
async def void_invoice(realm_id: str, invoice_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, _: dict[str, Any]) -> tuple[int, JsonDict]:
        record = invoices.user_void(_realm(ctx, realm_id), invoice_id, ctx.clock())
        return 200, {"Invoice": record.data}

    return await _admin(request, work, changes=realm_id)


@router.delete("/realms/{realm_id}/invoices/{invoice_id}")
async def delete_invoice(realm_id: str, invoice_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, _: dict[str, Any]) -> tuple[int, JsonDict]:
        stub = invoices.user_delete(_realm(ctx, realm_id), invoice_id, ctx.clock())
        return 200, {"Invoice": stub}

    return await _admin(request, work, changes=realm_id)


@router.post("/realms/{realm_id}/items")
async def create_item(realm_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, body: dict[str, Any]) -> tuple[int, JsonDict]:
        return 201, {"Item": items.create_item(_realm(ctx, realm_id), body, ctx.clock()).data}

    return await _admin(request, work, changes=realm_id)


@router.patch("/realms/{realm_id}/items/{item_id}")
async def update_item(realm_id: str, item_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, body: dict[str, Any]) -> tuple[int, JsonDict]:
        record = items.update_item(_realm(ctx, realm_id), item_id, body, ctx.clock())
        return 200, {"Item": record.data}

    return await _admin(request, work, changes=realm_id)


@router.post("/realms/{realm_id}/customers")
async def create_customer(realm_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, body: dict[str, Any]) -> tuple[int, JsonDict]:
        realm, now = _realm(ctx, realm_id), ctx.clock()
        record = customers.create_customer(realm, customer_body(body), now)
        if body.get("active") is False:
            record = customers.admin_update_customer(realm, record.id, {"Active": False}, now)
        return 201, {"Customer": record.data}

    return await _admin(request, work, changes=realm_id)


@router.patch("/realms/{realm_id}/customers/{customer_id}")
async def update_customer(realm_id: str, customer_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, body: dict[str, Any]) -> tuple[int, JsonDict]:
        changes = customer_body(body)
        if "active" in body:
            changes["Active"] = bool(body["active"])
        record = customers.admin_update_customer(
            _realm(ctx, realm_id), customer_id, changes, ctx.clock()
        )
        return 200, {"Customer": record.data}

    return await _admin(request, work, changes=realm_id)


@router.put("/realms/{realm_id}/settings")
async def put_settings(realm_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, body: dict[str, Any]) -> tuple[int, JsonDict]:
        realm = _realm(ctx, realm_id)
        realm.settings.update(body)
        realm.replays.capacity = realm.settings.replay_cache_size
        return 200, {"settings": vars(realm.settings)}

    return await _admin(request, work, changes=realm_id)


@router.put("/realms/{realm_id}/limits")
async def put_limits(realm_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, body: dict[str, Any]) -> tuple[int, JsonDict]:
        realm = _realm(ctx, realm_id)
        realm.limits.update(body)
        return 200, {"limits": vars(realm.limits)}

    return await _admin(request, work, changes=realm_id)


@router.post("/realms/{realm_id}/expire-access-tokens")
async def expire_tokens(realm_id: str, request: Request) -> Response:
    def work(ctx: SandboxContext, _: dict[str, Any]) -> tuple[int, JsonDict]:
        return 200, {"expired": _realm(ctx, realm_id).tokens.expire_access_tokens(ctx.clock())}

    return await _admin(request, work, changes=realm_id)


@router.post("/realms/{realm_id}/reconnect")
async def reconnect(realm_id: str, request: Request) -> Response:
    """What a human re-authorising the app does: a fresh refresh token."""

    def work(ctx: SandboxContext, _: dict[str, Any]) -> tuple[int, JsonDict]:
        realm = _realm(ctx, realm_id)
        token = realm.tokens.issue_refresh_token(
            ctx.clock(), realm.settings.refresh_token_ttl_seconds
        )
        return 201, {"refresh_token": token}

    return await _admin(request, work, changes=realm_id)


@router.get("/webhook")
async def get_webhook(request: Request) -> JSONResponse:
    return JSONResponse(get_context(request).webhooks.describe())


@router.put("/webhook")
async def put_webhook(request: Request) -> Response:
    def work(ctx: SandboxContext, body: dict[str, Any]) -> tuple[int, JsonDict]:
        url, token = body.get("url"), body.get("verifier_token")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise AdminError(400, "url must be an http(s) URL")
        if not isinstance(token, str) or not token:
            raise AdminError(400, "verifier_token must be a non-empty string")
        ctx.webhooks.configure(url, token)
        return 200, ctx.webhooks.describe()

    return await _admin(request, work)


@router.delete("/webhook")
async def delete_webhook(request: Request) -> Response:
    def work(ctx: SandboxContext, _: dict[str, Any]) -> tuple[int, JsonDict]:
        ctx.webhooks.configure(None, None)
        return 200, ctx.webhooks.describe()

    return await _admin(request, work)
