"""A tenant's QuickBooks connection: connect (realm + refresh token, handed on encrypted),
read its status, disconnect."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from services.contract.common import UtcDatetime
from services.gateway.auth.dependencies import CurrentPrincipal, require
from services.gateway.auth.principal import Role
from services.gateway.connections import repository
from services.gateway.connections.gate import connect_link
from services.gateway.connections.model import ConnectionStatus
from services.gateway.connections.service import request_connection, request_disconnect
from services.gateway.http.deps import BaseUrl, Cipher, DbPool
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


class ConnectionState(BaseModel):
    tenant_id: str
    status: ConnectionStatus = Field(
        description="connecting (handed to the worker), connected, broken (see `reason`) "
        "or not_connected (never, or disconnected)."
    )
    reason: str | None = Field(description="Why it is broken, e.g. `invalid_grant`.")
    realm_id: str | None
    connected_at: UtcDatetime | None
    refresh_token_rotated_at: UtcDatetime | None = Field(
        description="When the worker last stored a rotated refresh token."
    )
    last_successful_call_at: UtcDatetime | None = Field(
        description="The newest successful sync result (a QuickBooks call that succeeded)."
    )
    status_changed_at: UtcDatetime | None
    connect: str = Field(description="PUT here (admin) to connect or reconnect.")


@router.put("/quickbooks-connection", status_code=202, response_model=ConnectionAccepted)
async def put_quickbooks_connection(
    tenant_id: TenantId,
    body: ConnectionRequest,
    principal: CurrentPrincipal,
    pool: DbPool,
    cipher: Cipher,
) -> ConnectionAccepted:
    """Connect (or reconnect) the tenant's QuickBooks company. The refresh token is
    encrypted before it leaves this process and is never stored by the gateway."""
    require(principal, tenant_id, Role.ADMIN)
    if cipher is None:
        raise Problem(503, "Not configured", "TOKEN_ENCRYPTION_KEYS is not set on this gateway.")
    await request_connection(
        pool,
        cipher,
        tenant_id=tenant_id,
        realm_id=body.realm_id,
        refresh_token=body.refresh_token,
        requested_by=principal.label,
    )
    return ConnectionAccepted(tenant_id=tenant_id, realm_id=body.realm_id)


@router.get("/quickbooks-connection", response_model=ConnectionState)
async def get_quickbooks_connection(
    tenant_id: TenantId, principal: CurrentPrincipal, pool: DbPool, base_url: BaseUrl
) -> ConnectionState:
    """Whether the tenant can reach QuickBooks, as the worker last reported it."""
    require(principal, tenant_id, Role.READ)
    async with pool.acquire() as conn:
        found = await repository.get_connection(conn, tenant_id)
    return ConnectionState(
        tenant_id=tenant_id,
        status=found.status if found else ConnectionStatus.NOT_CONNECTED,
        reason=found.reason if found else None,
        realm_id=found.realm_id if found else None,
        connected_at=found.connected_at if found else None,
        refresh_token_rotated_at=found.refresh_token_rotated_at if found else None,
        last_successful_call_at=found.last_success_at if found else None,
        status_changed_at=found.status_at if found else None,
        connect=connect_link(base_url, tenant_id),
    )


@router.delete("/quickbooks-connection", status_code=202, response_model=ConnectionState)
async def delete_quickbooks_connection(
    tenant_id: TenantId, principal: CurrentPrincipal, pool: DbPool, base_url: BaseUrl
) -> ConnectionState:
    """Disconnect: pushes are refused from now on and the worker destroys the tokens
    (its later units answer NOT_CONNECTED). Idempotent."""
    require(principal, tenant_id, Role.ADMIN)
    await request_disconnect(pool, tenant_id=tenant_id, requested_by=principal.label)
    return await get_quickbooks_connection(tenant_id, principal, pool, base_url)
