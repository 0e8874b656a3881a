"""What a test reads back from `work_items`: a tenant's units, oldest first."""

from __future__ import annotations

from typing import NamedTuple

import asyncpg


class UnitRow(NamedTuple):
    invoice_id: str | None
    kind: str
    invoice_version: int | None
    state: str
    outcome: str | None


async def tenant_units(conn: asyncpg.Connection, tenant: str) -> list[UnitRow]:
    rows = await conn.fetch(
        "SELECT invoice_id, kind, invoice_version, state, outcome FROM work_items "
        "WHERE tenant_id = $1 ORDER BY id",
        tenant,
    )
    return [UnitRow(*r) for r in rows]
