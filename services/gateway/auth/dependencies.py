from __future__ import annotations

import hmac

from fastapi import Request

from services.gateway.auth.principal import Principal, Role
from services.gateway.http.problems import Problem


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "Unauthorized", "Send `Authorization: Bearer <token>`.")
    return token.strip()


async def authenticate(request: Request) -> Principal:
    token = _bearer(request)
    admin_token: str = request.app.state.settings.gateway_admin_token.get_secret_value()
    if hmac.compare_digest(token.encode(), admin_token.encode()):
        return Principal(operator=True)
    raise Problem(401, "Unauthorized", "The bearer token is not valid.")


def require(principal: Principal, tenant_id: str, role: Role) -> None:
    """Another tenant's resources answer 404, so ids of other tenants cannot be probed."""
    if not principal.can(tenant_id, role):
        if principal.tenant_id == tenant_id:
            raise Problem(403, "Forbidden", f"This token's role may not {role.value}.")
        raise Problem(404, "Not Found", "No such resource for this tenant.")
