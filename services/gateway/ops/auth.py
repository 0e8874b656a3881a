"""Who may read the ops view: the operator token (header) or an ops page token."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer

from services.contract.common import utc_now
from services.gateway.http.deps import Settings
from services.gateway.http.problems import Problem
from services.gateway.ops.page_token import OPS_TOKEN_PREFIX, ops_key, verify_ops_token
from services.gateway.settings import GatewaySettings

_bearer = HTTPBearer(auto_error=False, description="The operator token, or an ops page token.")
_query_token = APIKeyQuery(
    name="access_token",
    auto_error=False,
    description="Ops page token (mqo_…) only: for the ops page and its event stream.",
)


def page_secret(settings: GatewaySettings) -> str:
    secret = settings.gateway_page_token_secret or settings.gateway_admin_token
    return secret.get_secret_value()


def _check(settings: GatewaySettings, token: str, *, header: bool) -> None:
    if token.startswith(OPS_TOKEN_PREFIX):
        if verify_ops_token(ops_key(page_secret(settings)), token, utc_now()):
            return
        raise Problem(401, "Unauthorized", "The ops page token is not valid or has expired.")
    if not header:
        raise Problem(401, "Unauthorized", "Only ops page tokens (mqo_…) go in `access_token`.")
    admin = settings.gateway_admin_token.get_secret_value()
    if hmac.compare_digest(token.encode(), admin.encode()):
        return
    raise Problem(403, "Forbidden", "Only the operator may read the ops view.")


async def ops_viewer(
    settings: Settings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    query_token: Annotated[str | None, Depends(_query_token)],
) -> None:
    """Read-only access; tenant tokens (and bad tokens) are refused."""
    if credentials is not None and credentials.credentials.strip():
        _check(settings, credentials.credentials.strip(), header=True)
    elif query_token:
        _check(settings, query_token, header=False)
    else:
        raise Problem(401, "Unauthorized", "Send `Authorization: Bearer <operator token>`.")


OpsViewer = Annotated[None, Depends(ops_viewer)]
