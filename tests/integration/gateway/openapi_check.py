"""Checking real answers against the OpenAPI document the gateway serves."""

from __future__ import annotations

from typing import Any

import httpx
from jsonschema import Draft202012Validator

METHODS = ("get", "put", "post", "delete", "patch")
Operation = tuple[str, str]  # (method, path template)


def documented(doc: dict[str, Any]) -> dict[Operation, set[int]]:
    """Every operation of the document and the statuses it lists."""
    return {
        (method, path): {int(s) for s in item[method]["responses"]}
        for path, item in doc["paths"].items()
        for method in METHODS
        if method in item
    }


def check(doc: dict[str, Any], op: Operation, response: httpx.Response) -> None:
    """The status is documented for the operation, with the answer's content type, and the
    body satisfies the schema documented for it (a stream's body is not read)."""
    method, template = op
    status = str(response.status_code)
    where = f"{method.upper()} {template} answered {status}"
    listed = doc["paths"][template][method]["responses"].get(status)
    assert listed is not None, f"{where}: undocumented ({_preview(response)})"
    assert response.headers.get("x-request-id"), "every answer carries X-Request-ID"
    for header in listed.get("headers", {}):
        if header != "X-Request-ID":
            assert header.lower() in response.headers, f"{where}: no {header} header"
    content = listed.get("content")
    if not content:
        assert response.content == b"", f"{where}: documents no body"
        return
    media_type = response.headers.get("content-type", "").split(";")[0]
    assert media_type in content, f"{where}: {media_type} is not documented"
    schema = content[media_type].get("schema")
    if not schema or "json" not in media_type:
        return
    full = {**schema, "components": doc["components"]}
    errors = list(Draft202012Validator(full).iter_errors(response.json()))
    assert not errors, f"{where}: {errors[0].message}"


def _preview(response: httpx.Response) -> str:
    try:
        return response.text[:200]
    except httpx.ResponseNotRead:
        return "(a stream)"
