"""A run over 10,000 invoices reads QuickBooks in about a dozen query calls: pages of 1,000
by DocNumber prefix, or, for a tenant without a prefix, 1,000 ledger Ids per query (sent as
a POST body, too long for a URL). The run's own count agrees with the sandbox's."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.e2e.reconciliation.api import reconcile, tenant_on
from tests.e2e.reconciliation.seed import (
    create_in_quickbooks,
    own_authorisation,
    seed_realm,
    snapshot,
    store_as_synced,
)
from tests.support.environment import ENCRYPTION_KEY
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.e2e

INVOICES = 10_000
PREFIX = "BIG-"


async def _queries(sandbox: SandboxAdmin, realm_id: str) -> int:
    stats = await sandbox.stats(realm_id)
    return sum(stats["requests"].get("query", {}).values())


async def test_ten_thousand_invoices_take_about_a_dozen_queries(
    admin_api: httpx.AsyncClient,
    sandbox: SandboxAdmin,
    qbo_sandbox_url: str,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    realm = await seed_realm(sandbox)
    realm_id = realm["realm_id"]
    # One company, two tenants holding the same invoices: one numbers them with a prefix,
    # the other carries the prefixed number itself (no prefix setting).
    prefixed = [snapshot(n, str(100000 + n)) for n in range(INVOICES)]
    plain = [snapshot(n, f"{PREFIX}{100000 + n}") for n in range(INVOICES)]
    created = await create_in_quickbooks(qbo_sandbox_url, realm, prefixed, PREFIX)
    assert len(created) == INVOICES
    bootstrap, pool = kafka_bootstrap_servers, worker_pg_pool
    with_prefix = await tenant_on(bootstrap, pool, realm, PREFIX, ENCRYPTION_KEY)
    second = await own_authorisation(qbo_sandbox_url, realm)
    without_prefix = await tenant_on(bootstrap, pool, second, None, ENCRYPTION_KEY)
    await store_as_synced(worker_pg_pool, with_prefix, realm, prefixed, created)
    await store_as_synced(worker_pg_pool, without_prefix, realm, plain, created)

    calls: dict[str, int] = {}
    for tenant in (with_prefix, without_prefix):
        before = await _queries(sandbox, realm_id)
        run = await reconcile(admin_api, tenant, timeout=300)
        assert run["counts"]["in_sync"]["count"] == INVOICES, run["counts"]
        assert run["totals"]["count"] == INVOICES
        assert run["quickbooks_calls"] == await _queries(sandbox, realm_id) - before
        calls[tenant] = run["quickbooks_calls"]

    # 10 full pages by prefix and the empty 11th that ends them.
    assert calls[with_prefix] <= 12
    # 10 queries of 1,000 Ids each: none cut to the old 400, no extra page after a full one.
    assert calls[without_prefix] == 10
