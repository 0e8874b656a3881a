"""QBO v3 routes under `/v3/company/{realmId}`; all the work happens in `pipeline.run_v3`."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..domain import errors
from ..domain.batch import call_count, run_batch
from ..domain.cdc import run_cdc
from ..domain.errors import JsonDict
from ..domain.operations import execute_post, execute_read, label_for
from ..domain.query import run_query
from ..domain.realm import Realm
from .context import get_context
from .pipeline import run_v3

router = APIRouter(prefix="/v3/company/{realm_id}")


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.invalid_value("", f"Request body is not valid JSON: {exc}") from exc


def _peek_json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


@router.post("/batch")
async def batch(realm_id: str, request: Request) -> Response:
    raw = await request.body()

    def action(realm: Realm, now: float) -> JsonDict:
        return run_batch(realm, parse_json(raw), now)

    return await run_v3(
        get_context(request),
        request,
        realm_id,
        "batch",
        action,
        calls=call_count(_peek_json(raw)),
        replayable=True,
        batch=True,
    )


async def _query(realm_id: str, request: Request, text: str | None) -> Response:
    def action(realm: Realm, now: float) -> JsonDict:
        if not text:
            raise errors.required_param("query")
        return {"QueryResponse": run_query(realm, text)}

    return await run_v3(get_context(request), request, realm_id, "query", action)


@router.get("/query")
async def query_get(realm_id: str, request: Request) -> Response:
    return await _query(realm_id, request, request.query_params.get("query"))


@router.post("/query")
async def query_post(realm_id: str, request: Request) -> Response:
    body = (await request.body()).decode("utf-8", "replace").strip()
    return await _query(realm_id, request, body or request.query_params.get("query"))


@router.get("/cdc")
async def cdc(realm_id: str, request: Request) -> Response:
    params = request.query_params

    def action(realm: Realm, now: float) -> JsonDict:
        result = run_cdc(realm, params.get("entities"), params.get("changedSince"), now)
        return {"CDCResponse": [result]}

    return await run_v3(get_context(request), request, realm_id, "cdc", action)


@router.post("/{entity}")
async def entity_post(realm_id: str, entity: str, request: Request) -> Response:
    raw = await request.body()
    operation = request.query_params.get("operation")
    label = label_for(entity, _peek_json(raw), operation)

    def action(realm: Realm, now: float) -> JsonDict:
        return execute_post(realm, entity, parse_json(raw), operation, now)

    return await run_v3(get_context(request), request, realm_id, label, action, replayable=True)


@router.get("/{entity}/{entity_id}")
async def entity_read(realm_id: str, entity: str, entity_id: str, request: Request) -> Response:
    def action(realm: Realm, now: float) -> JsonDict:
        return execute_read(realm, entity, entity_id)

    label = f"{entity.lower()}.read"
    return await run_v3(get_context(request), request, realm_id, label, action)
