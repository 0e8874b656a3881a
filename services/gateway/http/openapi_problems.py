"""The OpenAPI document says what the gateway really answers when things go wrong.

Every error status an operation can produce is listed with an `application/problem+json`
body (`ProblemDetails`); FastAPI's own 422 (`HTTPValidationError`, `application/json`) is
replaced, since the server sends problem+json. Statuses that come from shared machinery
(auth, the path guard, the body limit, Idempotency-Key, a database outage) are added here
rather than on every route. Every answer documents its `X-Request-ID`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.http.problems import PROBLEM_JSON

_REF = "#/components/schemas/ProblemDetails"
_METHODS = ("get", "put", "post", "delete", "patch")


class ProblemDetails(BaseModel):
    """RFC 9457 problem details; some problems add members (`errors`, `warning`, …)."""

    model_config = ConfigDict(extra="allow", title="ProblemDetails")

    type: str = Field(description="A URI naming the kind of problem (`about:blank` if none).")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request, and what to do.")
    instance: str = Field(description="The request path.")


_DESCRIPTIONS = {
    "400": "Malformed JSON, an invalid cursor or an invalid `Idempotency-Key`.",
    "401": "No bearer token, or one that is not valid.",
    "403": "The token may not do this for this tenant (or batch).",
    "404": "No such resource for this tenant.",
    "409": "A conflict; for a POST with an `Idempotency-Key`, also: the first request with "
    "that key is still being served (retry after `Retry-After`).",
    "413": "The request body is over the gateway's limit.",
    "422": "The request is not valid (`errors` lists each field); for a POST, also: the "
    "`Idempotency-Key` was already used with a different request.",
    "428": "Confirmation required.",
    "503": "The database is not answering; nothing was done. Retry after `Retry-After`.",
}
_REQUEST_ID_HEADER = {
    "description": "The caller's `X-Request-ID` if acceptable (≤ 128 printable ASCII), "
    "otherwise one made by the gateway; it names the request in the gateway's log.",
    "schema": {"type": "string", "maxLength": 128},
}
_RETRY_AFTER_HEADER = {"description": "Seconds to wait.", "schema": {"type": "integer"}}


def _statuses(path: str, method: str, op: dict[str, Any]) -> set[str]:
    """Error statuses this operation can produce beyond the ones its route declares."""
    found = set()
    if "security" in op:
        found.add("401")
        # A tenant's GETs need only the read role, which every credential in the tenant's
        # scope has (a page token's other batches and other tenants answer 404): no 403.
        if not (method == "get" and path.startswith("/v1/tenants/")):
            found.add("403")
    if "{" in path and path.startswith("/v1/"):
        found.add("404")
    if "requestBody" in op:
        found.add("400")
    if method in ("post", "put", "patch"):
        found.add("413")
    if method == "post" and "security" in op:
        found |= {"400", "409", "422"}  # Idempotency-Key
    if path.startswith("/v1/") or "security" in op:
        found.add("503")
    return found


def _own_body(existing: dict[str, Any] | None) -> bool:
    """A route that documents its own non-problem body for an error (readiness's 503);
    FastAPI's own 422 ("Validation Error") is not one: the server sends problem+json."""
    if existing is None or existing.get("description") == "Validation Error":
        return False
    return bool((existing.get("content") or {}).get("application/json", {}).get("schema"))


def _problem_response(existing: dict[str, Any] | None, status: str) -> dict[str, Any]:
    description = (existing or {}).get("description") or _DESCRIPTIONS.get(status, "An error.")
    if status == "422" and existing and "Validation Error" in description:
        description = _DESCRIPTIONS["422"]
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": _REF}}},
    }
    if status in ("429", "503"):
        response["headers"] = {"Retry-After": _RETRY_AFTER_HEADER}
    return response


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    for path, item in schema.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            responses = op.setdefault("responses", {})
            for status in _statuses(path, method, op) | {s for s in responses if s >= "400"}:
                if not _own_body(responses.get(status)):
                    responses[status] = _problem_response(responses.get(status), status)
            op["responses"] = dict(sorted(responses.items()))
            for response in responses.values():
                response.setdefault("headers", {})["X-Request-ID"] = {
                    "$ref": "#/components/headers/X-Request-ID"
                }
    schema.setdefault("components", {}).setdefault("headers", {})["X-Request-ID"] = (
        _REQUEST_ID_HEADER
    )
    components = schema["components"].setdefault("schemas", {})
    components["ProblemDetails"] = ProblemDetails.model_json_schema()
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    schema["components"]["schemas"] = dict(sorted(components.items()))
    return schema


def install_problem_openapi(app: FastAPI) -> None:
    generate = app.openapi
    documented: dict[str, Any] | None = None

    def openapi() -> dict[str, Any]:
        nonlocal documented
        if documented is None:
            documented = document_problems(generate())
        return documented

    app.openapi = openapi  # type: ignore[method-assign]
