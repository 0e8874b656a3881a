"""Setting a tenant up the way MediaOS core and the gateway would, over real Kafka."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from pydantic import SecretStr

from services.contract.connections import QuickBooksConnectionRequested
from services.contract.push import PushRequested
from services.contract.settings import ProductMappingChanged, SettingsChanged
from services.contract.topics import Topic, invoice_key, tenant_key
from services.platform.crypto import TokenCipher, parse_keys
from tests.support.environment import ENCRYPTION_KEY
from tests.support.factories import new_tenant
from tests.support.kafka import produce, produce_many
from tests.support.sandbox import SandboxAdmin


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


async def wait_gateway_connected(pool: asyncpg.Pool, tenant_id: str) -> None:
    """Waits until the gateway has consumed the worker's `connected` report: pushes through
    the API are refused with 409 until then. The gateway's tables are in its own schema of
    the test database."""
    await wait_for_row(
        pool,
        "SELECT 1 FROM gateway.quickbooks_connections WHERE tenant_id = $1 "
        "AND status = 'connected'",
        tenant_id,
        timeout=60,
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


async def publish_invoices(bootstrap: str, pool: asyncpg.Pool, events: Sequence[Any]) -> None:
    """Publishes invoice events as MediaOS core would and waits until the worker holds the
    last one's snapshot."""
    await produce_many(
        bootstrap,
        Topic.INVOICES,
        [(invoice_key(e.tenant_id, e.invoice.invoice_id), e) for e in events],
    )
    last = events[-1]
    await wait_for_row(
        pool,
        "SELECT 1 FROM invoice_snapshots WHERE tenant_id = $1 AND invoice_id = $2 "
        "AND version >= $3",
        last.tenant_id,
        last.invoice.invoice_id,
        last.invoice.version,
        timeout=60,
    )


async def one_way_push_company(
    bootstrap: str,
    pool: asyncpg.Pool,
    sandbox: SandboxAdmin,
    *,
    limits: dict[str, int] | None = None,
    encryption_keys: str = ENCRYPTION_KEY,
) -> tuple[str, dict[str, Any]]:
    """A new tenant on a new sandbox company with one item, in One-Way Push mode, product
    `P-1` mapped to that item; its token sealed with the test session's key unless
    `encryption_keys`. Returns (tenant id, realm)."""
    realm = await sandbox.create_realm(
        items=[{"name": "Display Ad", "unit_price": "100.00"}], limits=limits
    )
    tenant = new_tenant()
    await connect(bootstrap, pool, tenant, realm, encryption_keys)
    await change_settings(bootstrap, pool, tenant, manual_push=True)
    await map_products(bootstrap, pool, tenant, {"P-1": realm["items"][0]["Id"]})
    return tenant, realm


async def send_invoice(bootstrap: str, event: Any) -> None:
    """Publishes one invoice event keyed `{tenant_id}:{invoice_id}`, as MediaOS core does."""
    await produce(
        bootstrap, Topic.INVOICES, event, invoice_key(event.tenant_id, event.invoice.invoice_id)
    )


async def push(
    bootstrap: str,
    tenant: str,
    invoice_ids: Sequence[str],
    *,
    batch_id: uuid.UUID | None = None,
    requested_by: str = "tests",
) -> uuid.UUID:
    """Publishes a `push.requested`, as MediaOS core or the gateway does: its batch id."""
    batch_id = batch_id or uuid.uuid4()
    event = PushRequested(
        tenant_id=tenant,
        batch_id=batch_id,
        invoice_ids=list(invoice_ids),
        requested_by=requested_by,
    )
    await produce(bootstrap, Topic.PUSH_REQUESTS, event, tenant_key(tenant))
    return batch_id
