"""Bearer tokens: the operator token, tenant tokens (by hash) and page tokens."""

from __future__ import annotations

import hmac
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import Depends
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer

from services.contract.common import utc_now
from services.gateway.auth import token_repository
from services.gateway.auth.page_tokens import PAGE_TOKEN_PREFIX, verify_page_token
from services.gateway.auth.principal import Principal, Role
from services.gateway.auth.tokens import hash_token, is_tenant_token
from services.gateway.http.deps import DbPool, PageKey, Settings
from services.gateway.http.problems import Problem

_bearer = HTTPBearer(auto_error=False, description="Operator token or a tenant token (mqs_…).")
_query_token = APIKeyQuery(
    name="access_token",
    auto_error=False,
    description="Page token (mqp_…) only: for the progress window and its event stream.",
)

_UNAUTHORIZED = Problem(401, "Unauthorized", "The bearer token is not valid.")


async def authenticate(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    query_token: Annotated[str | None, Depends(_query_token)],
    settings: Settings,
    page_key: PageKey,
    pool: DbPool,
) -> Principal:
    if credentials is not None and credentials.credentials.strip():
        token = credentials.credentials.strip()
        admin_token = settings.gateway_admin_token.get_secret_value()
        if hmac.compare_digest(token.encode(), admin_token.encode()):
            return Principal(operator=True)
        if token.startswith(PAGE_TOKEN_PREFIX):
            return _page_principal(page_key, token)
        return await _tenant_principal(pool, token)
    if query_token:
        # Only page tokens may travel in a URL: they are short-lived and batch-scoped.
        if not query_token.startswith(PAGE_TOKEN_PREFIX):
            raise Problem(
                401, "Unauthorized", "Only page tokens (mqp_…) are accepted in `access_token`."
            )
        return _page_principal(page_key, query_token)
    raise Problem(401, "Unauthorized", "Send `Authorization: Bearer <token>`.")


async def _tenant_principal(pool: asyncpg.Pool, token: str) -> Principal:
    if not is_tenant_token(token):
        raise _UNAUTHORIZED
    async with pool.acquire() as conn:
        principal = await token_repository.find_active(conn, hash_token(token))
    if principal is None:
        raise _UNAUTHORIZED
    return principal


def _page_principal(page_key: bytes, token: str) -> Principal:
    claims = verify_page_token(page_key, token, utc_now())
    if claims is None:
        raise Problem(401, "Unauthorized", "The page token is not valid or has expired.")
    return Principal(
        operator=False,
        tenant_id=claims.tenant_id,
        role=Role.READ,  # whatever minted it: a page token reads its batch, nothing more
        batch_id=claims.batch_id,
        page_retry=claims.role in (Role.PUSH, Role.ADMIN),
        minted_by=claims.minted_by,
        page_expires_at=claims.expires_at,
    )


def require(principal: Principal, tenant_id: str, role: Role, batch_id: UUID | None = None) -> None:
    """Another tenant's resources answer 404, so ids of other tenants cannot be probed."""
    if principal.can(tenant_id, role, batch_id):
        return
    same_scope = principal.tenant_id == tenant_id and (
        principal.batch_id is None or principal.batch_id == batch_id
    )
    if same_scope:
        raise Problem(403, "Forbidden", f"This token's role may not {role.value}.")
    raise Problem(404, "Not Found", "No such resource for this tenant.")


def require_batch_retry(principal: Principal, tenant_id: str, batch_id: UUID) -> None:
    """Push-capable tokens, or the page token of this very batch if a push-capable
    principal minted it (the progress window's Retry button)."""
    if principal.may_retry_batch(tenant_id, batch_id):
        return
    require(principal, tenant_id, Role.PUSH, batch_id)


def refuse_page_tokens(principal: Principal) -> None:
    if principal.is_page:
        raise Problem(403, "Forbidden", "A page token cannot mint or renew tokens.")


def require_operator(principal: Principal, tenant_id: str) -> None:
    if principal.operator:
        return
    if principal.tenant_id == tenant_id and principal.batch_id is None:
        raise Problem(403, "Forbidden", "Only the operator token may do this.")
    raise Problem(404, "Not Found", "No such resource for this tenant.")


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
