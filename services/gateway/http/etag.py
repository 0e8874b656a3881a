"""Strong ETags over a JSON body, and 304 when `If-None-Match` already names it."""

from __future__ import annotations

import hashlib

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

NOT_MODIFIED_RESPONSE: dict[int | str, dict[str, str]] = {
    304: {"description": "`If-None-Match` names the current ETag: nothing changed."}
}


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [c.strip().removeprefix("W/") for c in if_none_match.split(",")]
    return "*" in candidates or etag in candidates


def conditional_json(request: Request, body: BaseModel) -> Response:
    """The body as JSON with its ETag, or an empty 304 if the caller has it already."""
    response = JSONResponse(body.model_dump(mode="json"))
    etag = etag_of(bytes(response.body))
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response
