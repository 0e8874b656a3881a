"""A tenant's QuickBooks connection (realm + refresh token, handed on encrypted)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from services.gateway.auth.dependencies import CurrentPrincipal, require
from services.gateway.auth.principal import Role
from services.gateway.connections.service import request_connection
from services.gateway.http.params import TenantId
from services.gateway.http.problems import Problem

router = APIRouter(prefix="/v1/tenants/{tenant_id}", tags=["quickbooks connection"])


class ConnectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    realm_id: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9]+$")
    refresh_token: SecretStr = Field(min_length=1, max_length=4096)


class ConnectionAccepted(BaseModel):
    tenant_id: str
    realm_id: str
    status: str = "connecting"


@router.put("/quickbooks-connection", status_code=202, response_model=ConnectionAccepted)
async def put_quickbooks_connection(
    tenant_id: TenantId, body: ConnectionRequest, request: Request, principal: CurrentPrincipal
) -> ConnectionAccepted:
    """Connect (or reconnect) the tenant's QuickBooks company. The refresh token is
    encrypted before it leaves this process and is never stored by the gateway."""
    require(principal, tenant_id, Role.ADMIN)
    cipher = request.app.state.cipher
    if cipher is None:
        raise Problem(503, "Not configured", "TOKEN_ENCRYPTION_KEYS is not set on this gateway.")
    await request_connection(
        request.app.state.pool,
        cipher,
        tenant_id=tenant_id,
        realm_id=body.realm_id,
        refresh_token=body.refresh_token,
        requested_by=principal.label,
    )
    return ConnectionAccepted(tenant_id=tenant_id, realm_id=body.realm_id)
