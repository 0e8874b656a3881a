"""Accepting a verified webhook: resolve realms and enqueue, in one short transaction."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.contract.common import utc_now
from services.gateway.connections import repository as connections
from services.gateway.webhooks.payload import Notification
from services.gateway.webhooks.routing import Routed, invalid_body, route_notifications
from services.platform.outbox import enqueue


async def accept_notifications(
    pool: asyncpg.Pool, notifications: Sequence[Notification], *, failed_by: str
) -> Routed:
    realms = sorted({n.realm_id for n in notifications if n.realm_id})
    async with pool.acquire() as conn, conn.transaction():
        tenants = await connections.tenants_by_realm(conn, realms)
        routed = route_notifications(notifications, tenants, failed_by=failed_by, now=utc_now())
        await enqueue(conn, routed.messages)
    return routed


async def dead_letter_body(pool: asyncpg.Pool, body: bytes, reason: str, *, failed_by: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await enqueue(conn, [invalid_body(body, reason, failed_by=failed_by, now=utc_now())])
