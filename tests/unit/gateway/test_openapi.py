"""The committed OpenAPI document matches the app."""

from __future__ import annotations

import json

from services.gateway.openapi import OPENAPI_PATH, is_stale


def test_committed_openapi_is_up_to_date() -> None:
    assert not is_stale(), "run `python -m services.gateway.openapi` and commit schemas/"


def test_openapi_documents_the_public_routes() -> None:
    doc = json.loads(OPENAPI_PATH.read_text())
    paths = doc["paths"]
    for path in (
        "/v1/tenants/{tenant_id}/push-batches",
        "/v1/tenants/{tenant_id}/push-batches/{batch_id}",
        "/v1/tenants/{tenant_id}/push-batches/{batch_id}/invoices",
        "/v1/tenants/{tenant_id}/push-batches/{batch_id}/events",
        "/v1/tenants/{tenant_id}/push-batches/{batch_id}/retry-failed",
        "/v1/tenants/{tenant_id}/invoices/{invoice_id}/sync-status",
        "/v1/tenants/{tenant_id}/quickbooks-connection",
        "/v1/tenants/{tenant_id}/tokens",
        "/v1/tenants/{tenant_id}/tokens/{token_id}",
        "/v1/webhooks/quickbooks",
    ):
        assert path in paths, path
    assert "428" in paths["/v1/tenants/{tenant_id}/push-batches"]["post"]["responses"]
    assert "HTTPBearer" in doc["components"]["securitySchemes"]


def test_statuses_no_request_can_produce_are_not_documented() -> None:
    paths = json.loads(OPENAPI_PATH.read_text())["paths"]
    # A tenant's GETs need only the read role: every credential in scope has it.
    for path, item in paths.items():
        if path.startswith("/v1/tenants/") and "get" in item:
            assert "403" not in item["get"]["responses"], path
    assert "403" in paths["/v1/ops/overview"]["get"]["responses"]
    assert "403" in paths["/v1/tenants/{tenant_id}/push-batches"]["post"]["responses"]


def test_readiness_documents_its_own_503_body() -> None:
    responses = json.loads(OPENAPI_PATH.read_text())["paths"]["/readyz"]["get"]["responses"]
    ref = {"$ref": "#/components/schemas/Readiness"}
    assert responses["503"]["content"] == {"application/json": {"schema": ref}}
    assert "Retry-After" in responses["503"]["headers"]
