from __future__ import annotations

from collections.abc import Collection

import asyncpg

from services.contract.settings import ConflictPolicy, ProductMappingChanged, SettingsChanged
from services.sync_worker.tenants.model import ProductMapping, TenantSettings


async def apply_settings(conn: asyncpg.Connection, event: SettingsChanged) -> None:
    keys = event.changed_keys()
    await conn.execute(
        "INSERT INTO tenants (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING",
        event.tenant_id,
    )
    await conn.execute(
        """
        UPDATE tenants SET
            manual_push = CASE WHEN $2 THEN $3 ELSE manual_push END,
            invoice_number_prefix = CASE WHEN $4 THEN $5 ELSE invoice_number_prefix END,
            conflict_policy = CASE WHEN $6 THEN $7 ELSE conflict_policy END,
            updated_at = now()
        WHERE tenant_id = $1
        """,
        event.tenant_id,
        "manual_push" in keys,
        bool(event.manual_push),
        "invoice_number_prefix" in keys,
        event.invoice_number_prefix or None,
        "conflict_policy" in keys,
        event.conflict_policy.value if event.conflict_policy else "report",
    )


async def apply_product_mapping(conn: asyncpg.Connection, event: ProductMappingChanged) -> None:
    await conn.execute(
        """
        INSERT INTO product_mappings (tenant_id, product_id, product_name, quickbooks_item_id)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (tenant_id, product_id) DO UPDATE SET
            product_name = EXCLUDED.product_name,
            quickbooks_item_id = EXCLUDED.quickbooks_item_id,
            updated_at = now()
        """,
        event.tenant_id,
        event.product_id,
        event.product_name,
        event.quickbooks_item_id,
    )


async def get_settings(conn: asyncpg.Connection, tenant_id: str) -> TenantSettings:
    row = await conn.fetchrow(
        "SELECT manual_push, invoice_number_prefix, conflict_policy FROM tenants "
        "WHERE tenant_id = $1",
        tenant_id,
    )
    return TenantSettings() if row is None else _settings(row)


async def get_settings_many(
    conn: asyncpg.Connection, tenant_ids: Collection[str]
) -> dict[str, TenantSettings]:
    """Settings of every given tenant in one statement (defaults for unknown tenants)."""
    if not tenant_ids:
        return {}
    rows = await conn.fetch(
        "SELECT tenant_id, manual_push, invoice_number_prefix, conflict_policy FROM tenants "
        "WHERE tenant_id = ANY($1::text[])",
        list(tenant_ids),
    )
    found = {r["tenant_id"]: _settings(r) for r in rows}
    return {t: found.get(t, TenantSettings()) for t in tenant_ids}


def _settings(row: asyncpg.Record) -> TenantSettings:
    return TenantSettings(
        manual_push=row["manual_push"],
        invoice_number_prefix=row["invoice_number_prefix"],
        conflict_policy=ConflictPolicy(row["conflict_policy"]),
    )


async def get_mappings(
    conn: asyncpg.Connection, tenant_id: str, product_ids: list[str]
) -> list[ProductMapping]:
    rows = await conn.fetch(
        "SELECT product_id, product_name, quickbooks_item_id FROM product_mappings "
        "WHERE tenant_id = $1 AND product_id = ANY($2::text[])",
        tenant_id,
        product_ids,
    )
    return [
        ProductMapping(r["product_id"], r["product_name"], r["quickbooks_item_id"]) for r in rows
    ]


async def connected_two_way_tenants(conn: asyncpg.Connection) -> list[str]:
    """Tenants with a working QuickBooks connection that are not in One-Way Push mode."""
    rows = await conn.fetch(
        "SELECT c.tenant_id FROM quickbooks_connections c "
        "LEFT JOIN tenants t ON t.tenant_id = c.tenant_id "
        "WHERE c.status = 'connected' AND NOT coalesce(t.manual_push, false)"
    )
    return [r["tenant_id"] for r in rows]
