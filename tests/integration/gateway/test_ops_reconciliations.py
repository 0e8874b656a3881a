"""The ops overview shows each tenant's last reconciliation run: its state, when, and the
count per category (each linked to its rows), from runs started through the API and
reports the gateway consumed from Kafka into PostgreSQL."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from services.contract.common import utc_now
from services.contract.reconciliation import (
    CategoryTotals,
    ReconciliationCategory,
    ReconciliationCompleted,
)
from services.contract.settings import ConflictPolicy
from services.contract.topics import Topic, tenant_key
from tests.integration.gateway.helpers import ADMIN
from tests.support.factories import new_tenant
from tests.support.kafka import produce
from tests.support.services import stop_leftover_workers

pytestmark = pytest.mark.integration


async def _start_run(client: httpx.AsyncClient, tenant: str) -> uuid.UUID:
    response = await client.post(f"/v1/tenants/{tenant}/reconciliations", headers=ADMIN)
    assert response.status_code == 202, response.text
    return uuid.UUID(response.json()["id"])


def _totals(count: int, amount: str) -> CategoryTotals:
    return CategoryTotals(
        count=count, mediaos_amount=Decimal(amount), quickbooks_amount=Decimal(amount)
    )


async def _complete(bootstrap: str, tenant: str, run: uuid.UUID, **fields: Any) -> None:
    event = ReconciliationCompleted(
        tenant_id=tenant,
        reconciliation_id=run,
        conflict_policy=ConflictPolicy.REPORT,
        quickbooks_calls=2,
        finding_chunks=0,
        started_at=utc_now(),
        **fields,
    )
    await produce(bootstrap, Topic.RECONCILIATIONS.value, event, tenant_key(tenant))


async def _finished_run(
    client: httpx.AsyncClient,
    bootstrap: str,
    tenant: str,
    categories: dict[ReconciliationCategory, CategoryTotals],
    **fields: Any,
) -> uuid.UUID:
    """A run started through the API and ended by its report; the report's totals are the
    sums of its categories."""
    run = await _start_run(client, tenant)
    count = sum(t.count for t in categories.values())
    amount = sum((t.mediaos_amount for t in categories.values()), Decimal(0))
    await _complete(
        bootstrap,
        tenant,
        run,
        invoices_total=count,
        categories=categories,
        totals=_totals(count, str(amount)),
        **fields,
    )
    return run


async def _last_runs(
    client: httpx.AsyncClient, wanted: dict[str, str], timeout: float = 60
) -> dict[str, dict[str, Any]]:
    """The overview's last run per tenant once every wanted tenant shows the wanted state."""
    deadline = time.monotonic() + timeout
    while True:
        response = await client.get("/v1/ops/overview", headers=ADMIN)
        assert response.status_code == 200, response.text
        runs = {r["tenant_id"]: r for r in response.json()["last_reconciliations"]}
        if all(runs.get(t, {}).get("state") == s for t, s in wanted.items()):
            return runs
        assert time.monotonic() < deadline, f"overview never showed {wanted}: {runs}"
        await asyncio.sleep(0.3)


async def test_overview_lists_the_last_run_of_each_tenant_with_counts(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    # The runs are completed by the reports this test publishes; a worker left running by
    # an earlier test of the package would answer the same requests with its own.
    stop_leftover_workers()
    done, again, broken = new_tenant(), new_tenant(), new_tenant()
    before = utc_now()
    finished = await _finished_run(
        client,
        kafka_bootstrap_servers,
        done,
        {
            ReconciliationCategory.IN_SYNC: _totals(7, "700.00"),
            ReconciliationCategory.DIFFERENT: _totals(2, "250.00"),
            ReconciliationCategory.MISSING_IN_QUICKBOOKS: _totals(1, "40.00"),
        },
        state="completed",
    )
    await _finished_run(
        client,
        kafka_bootstrap_servers,
        again,
        {ReconciliationCategory.IN_SYNC: _totals(3, "30.00")},
        state="completed",
    )
    await _finished_run(
        client,
        kafka_bootstrap_servers,
        broken,
        {},
        state="failed",
        error="QuickBooks refused the connection",
    )
    await _last_runs(client, {done: "completed", again: "completed", broken: "failed"})
    newer = await _start_run(client, again)
    runs = await _last_runs(client, {done: "completed", again: "queued", broken: "failed"})

    shown = runs[done]
    assert shown["id"] == str(finished) and shown["invoices_total"] == 10
    counts = {c: v["count"] for c, v in shown["counts"].items()}
    assert counts == {
        "in_sync": 7,
        "missing_in_quickbooks": 1,
        "different": 2,
        "only_in_quickbooks": 0,
        "not_sendable": 0,
    }
    assert (await client.get(shown["link"], headers=ADMIN)).json()["id"] == str(finished)
    differences = await client.get(shown["counts"]["different"]["link"], headers=ADMIN)
    assert differences.status_code == 200, differences.text

    assert runs[again]["id"] == str(newer), "the newer run replaces the older one"
    assert runs[again]["counts"] is None, "no counts before the run completes"
    assert runs[broken]["error"] == "QuickBooks refused the connection"
    assert datetime.fromisoformat(runs[broken]["at"]) >= before, "when it finished"
    ordered = [r["tenant_id"] for r in (await client.get("/v1/ops/overview", headers=ADMIN))
               .json()["last_reconciliations"]]  # fmt: skip
    assert ordered.index(again) < ordered.index(broken) < ordered.index(done), "newest first"
