"""Setting a tenant up the way MediaOS core and the gateway would, over real Kafka."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
from pydantic import SecretStr

from services.contract.connections import QuickBooksConnectionRequested
from services.contract.settings import ProductMappingChanged, SettingsChanged
from services.contract.topics import Topic, tenant_key
from services.platform.crypto import TokenCipher, parse_keys
from tests.support.kafka import produce


async def wait_for_row(
    pool: asyncpg.Pool, query: str, *args: Any, timeout: float = 30.0
) -> asyncpg.Record:
    deadline = time.monotonic() + timeout
    while True:
        row = await pool.fetchrow(query, *args)
        if row is not None:
            return row
        if time.monotonic() > deadline:
            raise AssertionError(f"no row after {timeout}s for: {query} {args}")
        await asyncio.sleep(0.2)


async def connect(
    bootstrap: str,
    pool: asyncpg.Pool,
    tenant_id: str,
    realm: dict[str, Any],
    encryption_keys: str,
) -> None:
    cipher = TokenCipher(parse_keys(encryption_keys))
    event = QuickBooksConnectionRequested(
        tenant_id=tenant_id,
        realm_id=realm["realm_id"],
        refresh_token_encrypted=cipher.encrypt(SecretStr(realm["refresh_token"])).decode(),
        requested_by="tests",
    )
    await produce(bootstrap, Topic.CONNECTIONS, event, tenant_key(tenant_id))
    await wait_for_row(
        pool,
        "SELECT 1 FROM quickbooks_connections WHERE tenant_id = $1 AND realm_id = $2",
        tenant_id,
        realm["realm_id"],
    )


async def map_products(
    bootstrap: str, pool: asyncpg.Pool, tenant_id: str, mapping: dict[str, str | None]
) -> None:
    for product_id, item_id in mapping.items():
        event = ProductMappingChanged(
            tenant_id=tenant_id,
            product_id=product_id,
            product_name=f"Product {product_id}",
            quickbooks_item_id=item_id,
        )
        await produce(bootstrap, Topic.SETTINGS, event, tenant_key(tenant_id))
    for product_id, item_id in mapping.items():
        await wait_for_row(
            pool,
            "SELECT 1 FROM product_mappings WHERE tenant_id = $1 AND product_id = $2 "
            "AND quickbooks_item_id IS NOT DISTINCT FROM $3",
            tenant_id,
            product_id,
            item_id,
        )


async def change_settings(
    bootstrap: str, pool: asyncpg.Pool, tenant_id: str, **settings: Any
) -> None:
    event = SettingsChanged(tenant_id=tenant_id, **settings)
    await produce(bootstrap, Topic.SETTINGS, event, tenant_key(tenant_id))
    await wait_for_row(pool, "SELECT 1 FROM processed_events WHERE event_id = $1", event.event_id)
