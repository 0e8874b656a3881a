"""Tenant API tokens: minted by the operator, shown once, stored hashed, revocable."""

from __future__ import annotations

from typing import Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict

from services.gateway.auth import token_repository
from services.gateway.auth.dependencies import CurrentPrincipal, require, require_operator
from services.gateway.auth.principal import Role
from services.gateway.auth.tokens import hash_token, new_token
from services.gateway.http.deps import DbPool
from services.gateway.http.params import TenantId
from services.gateway.http.problems import Problem

router = APIRouter(prefix="/v1/tenants/{tenant_id}/tokens", tags=["tokens"])


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["admin", "push", "read"]


class TokenCreated(BaseModel):
    token: str
    role: str
    tenant_id: str
    token_id: UUID


@router.post("", status_code=201, response_model=TokenCreated)
async def create_token(
    tenant_id: TenantId, body: TokenRequest, principal: CurrentPrincipal, pool: DbPool
) -> TokenCreated:
    """Operator only. The token is shown in this answer only; the gateway keeps its hash."""
    require_operator(principal, tenant_id)
    token, token_id = new_token(), uuid4()
    async with pool.acquire() as conn:
        await token_repository.create_token(
            conn,
            token_id=token_id,
            tenant_id=tenant_id,
            role=Role(body.role),
            token_hash=hash_token(token),
            created_by=principal.label,
        )
    return TokenCreated(token=token, role=body.role, tenant_id=tenant_id, token_id=token_id)


@router.delete("/{token_id}", status_code=204, response_class=Response)
async def revoke_token(
    tenant_id: TenantId, token_id: UUID, principal: CurrentPrincipal, pool: DbPool
) -> Response:
    """The operator or the tenant's admin; the token stops working at once."""
    require(principal, tenant_id, Role.ADMIN)
    async with pool.acquire() as conn:
        revoked = await token_repository.revoke(conn, tenant_id, token_id)
    if not revoked:
        raise Problem(404, "Not Found", f"No active token {token_id} for this tenant.")
    return Response(status_code=204)
