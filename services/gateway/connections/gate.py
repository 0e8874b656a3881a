"""Refusing up front a push that cannot succeed: no connection, or a broken one."""

from __future__ import annotations

import asyncpg

from services.gateway.connections import repository
from services.gateway.connections.model import ConnectionStatus, accepts_pushes
from services.gateway.http.problems import Problem

NOT_CONNECTED_TYPE = "urn:mediaos-sync:problem:not-connected"


def connect_link(base_url: str, tenant_id: str) -> str:
    return f"{base_url}/v1/tenants/{tenant_id}/quickbooks-connection"


async def ensure_connected(pool: asyncpg.Pool, tenant_id: str, base_url: str) -> None:
    """Raises 409 `not_connected` (with the connect link) unless a push could succeed."""
    async with pool.acquire() as conn:
        connection = await repository.get_connection(conn, tenant_id)
    if accepts_pushes(connection):
        return
    status = connection.status if connection else ConnectionStatus.NOT_CONNECTED
    reason = connection.reason if connection else None
    detail = (
        f"The QuickBooks connection is broken ({reason or 'credentials refused'}): reconnect "
        "the company, then send again."
        if status is ConnectionStatus.BROKEN
        else "This account is not connected to QuickBooks: connect a company, then send again."
    )
    raise Problem(
        409,
        "Not connected to QuickBooks",
        detail,
        type_=NOT_CONNECTED_TYPE,
        code="not_connected",
        connection_status=status.value,
        reason=reason,
        connect=connect_link(base_url, tenant_id),
    )
