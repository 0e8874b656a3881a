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
