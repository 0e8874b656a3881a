"""`syncctl reconcile` against the real gateway, worker and sandbox: the summary table and
the first differences; exit status 1 while something differs, 0 once all is in sync, 2 when
the run failed or the gateway refused."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from tests.e2e.gateway.test_syncctl import _finish, _syncctl
from tests.e2e.reconciliation.api import push_and_wait, tenant_on, wait_for_batch
from tests.support import tenants
from tests.support.environment import ADMIN_TOKEN, ENCRYPTION_KEY
from tests.support.factories import invoice_created, new_tenant
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.e2e

PREFIX = "SC-"


def _row(output: str, label: str) -> tuple[int, Decimal, Decimal]:
    """The summary table's row `label`: invoices, MediaOS amount, QuickBooks amount."""
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"[│|┃]", line) if c.strip()]
        if cells and cells[0] == label:
            return int(cells[1]), Decimal(cells[2]), Decimal(cells[3])
    raise AssertionError(f"no row {label!r} in:\n{output}")


async def _reconcile(env: dict[str, str], tenant: str) -> tuple[int, str]:
    return await _finish(
        await _syncctl(env, "reconcile", "--tenant", tenant, "--poll", "0.3"), timeout=180
    )


async def test_syncctl_reconcile_summary_and_exit_codes(
    admin_api: httpx.AsyncClient,
    sandbox: SandboxAdmin,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    bootstrap, pool = kafka_bootstrap_servers, worker_pg_pool
    realm = await sandbox.create_realm(items=[{"name": "Display Ad", "unit_price": "100.00"}])
    tenant = await tenant_on(bootstrap, pool, realm, PREFIX, ENCRYPTION_KEY)
    events = [invoice_created(tenant, number=f"{7100 + i}") for i in range(6)]
    await tenants.publish_invoices(bootstrap, pool, events)
    ids = [e.invoice.invoice_id for e in events]
    batch = await push_and_wait(admin_api, tenant, ids[:5])
    assert batch["counts"]["succeeded"] == 5, batch
    by_doc = {i["DocNumber"]: i["Id"] for i in await sandbox.live_invoices(realm["realm_id"])}
    memo = {"CustomerMemo": {"value": "Changed by the bookkeeper"}}
    await sandbox.edit_invoice(realm["realm_id"], by_doc[f"{PREFIX}7100"], memo)

    env = {**os.environ, "GATEWAY_URL": str(admin_api.base_url), "COLUMNS": "160"}
    env |= {"GATEWAY_TOKEN": ADMIN_TOKEN, "TERM": "dumb"}
    code, output = await _reconcile(env, tenant)
    assert code == 1, output
    assert _row(output, "In sync") == (4, 400, 400)
    assert _row(output, "Different") == (1, 100, 100)
    assert _row(output, "Missing in QuickBooks") == (1, 100, 0)
    assert _row(output, "Only in QuickBooks") == (0, 0, 0)
    assert _row(output, "Not sendable") == (0, 0, 0)
    assert _row(output, "Total") == (6, 600, 500)
    assert f"7100 ({PREFIX}7100): memo:" in output and "Changed by the bookkeeper" in output
    assert "/csv" in output

    run_id = re.search(r"Reconciliation ([0-9a-f-]{36})", output)
    assert run_id is not None, output
    repair = await _repair(admin_api, f"/v1/tenants/{tenant}/reconciliations/{run_id[1]}")
    assert repair["counts"]["succeeded"] == 2, repair
    code, output = await _reconcile(env, tenant)
    assert code == 0, output
    assert _row(output, "In sync") == (6, 600, 600)
    assert _row(output, "Total") == (6, 600, 600)


async def _repair(api: httpx.AsyncClient, run_url: str) -> dict[str, Any]:
    answer = await api.post(
        f"{run_url}/repair",
        json={"categories": ["missing_in_quickbooks", "different"], "confirm_overwrite": True},
    )
    assert answer.status_code == 202, answer.text
    return await wait_for_batch(api, answer.json()["batch"]["links"]["status"])


async def test_syncctl_reconcile_exits_2_on_a_failed_run_or_a_refusal(
    admin_api: httpx.AsyncClient,
    sandbox: SandboxAdmin,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    realm = await sandbox.create_realm(items=[{"name": "Display Ad", "unit_price": "100.00"}])
    # An authorisation QuickBooks never issued (as after the user revoked the app).
    revoked = {**realm, "refresh_token": "revoked-refresh-token"}
    tenant = new_tenant()
    await tenants.connect(kafka_bootstrap_servers, worker_pg_pool, tenant, revoked, ENCRYPTION_KEY)
    # With a prefix the run always queries QuickBooks, and so meets the revoked authorisation.
    await tenants.change_settings(
        kafka_bootstrap_servers, worker_pg_pool, tenant, invoice_number_prefix=PREFIX
    )
    await tenants.publish_invoices(
        kafka_bootstrap_servers, worker_pg_pool, [invoice_created(tenant, number="7200")]
    )
    env = {**os.environ, "GATEWAY_URL": str(admin_api.base_url), "COLUMNS": "160"}
    env |= {"GATEWAY_TOKEN": ADMIN_TOKEN, "TERM": "dumb"}
    code, output = await _reconcile(env, tenant)
    assert code == 2, output
    assert "Reconciliation failed" in output and "QBO_AUTH" in output
    assert "Total" not in output
    # The refused refresh left the connection broken: the next run fails at once with the
    # reason, rather than completing with every invoice "not sendable" as if never connected.
    code, output = await _reconcile(env, tenant)
    assert code == 2, output
    assert "Reconciliation failed" in output and "QBO_AUTH" in output and "broken" in output
    assert "Total" not in output
    assert (
        await worker_pg_pool.fetchval(
            "SELECT status FROM quickbooks_connections WHERE tenant_id = $1", tenant
        )
        == "broken"
    )

    code, output = await _reconcile({**env, "GATEWAY_TOKEN": "not-a-token"}, tenant)
    assert code == 2 and "error 401" in output, output
