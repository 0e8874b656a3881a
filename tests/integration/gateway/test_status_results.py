"""Per-invoice latest result (invoice_sync_status): one set-based upsert per consumed batch
that ends exactly where upserting the results one by one, in order, would."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from services.gateway.progress.model import InvoiceSyncState
from services.gateway.progress.status_repository import get_status, record_results
from tests.integration.gateway.results import result
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(seconds: int, tenant: str, invoice: str, status: str = "succeeded", **extra: Any) -> Any:
    event = result(tenant, uuid.uuid4(), invoice, status, batch_size=1)
    update: dict[str, Any] = {"occurred_at": T0 + timedelta(seconds=seconds), **extra}
    return event.model_copy(update=update)


async def _record(pool: asyncpg.Pool, results: list[Any]) -> list[str]:
    statements: list[str] = []
    async with pool.acquire() as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        async with conn.transaction():
            await record_results(conn, results)
    return [s for s in statements if "invoice_sync_status" in s]


async def _status(pool: asyncpg.Pool, tenant: str, invoice: str) -> InvoiceSyncState:
    async with pool.acquire() as conn:
        row = await get_status(conn, tenant, invoice)
    assert row is not None
    return row


async def test_one_statement_for_a_batch_and_the_newest_result_wins_per_invoice(
    gateway_pg_pool: asyncpg.Pool,
) -> None:
    tenant, other = new_tenant(), new_tenant()
    newest_first = [at(20, tenant, "a"), at(10, tenant, "a", "failed")]
    success_then_failure = [at(10, tenant, "b"), at(20, tenant, "b", "failed")]
    tie = [at(10, tenant, "c", "failed"), at(10, tenant, "c")]
    batch = [*newest_first, *success_then_failure, *tie, at(5, other, "a", "skipped")]

    assert len(await _record(gateway_pg_pool, batch)) == 1

    a = await _status(gateway_pg_pool, tenant, "a")
    assert a.last_event_id == newest_first[0].event_id
    assert a.last_synced_at == T0 + timedelta(seconds=20)
    b = await _status(gateway_pg_pool, tenant, "b")
    # The failure is the latest result; the success's QuickBooks ids and time are kept.
    assert b.last_event_type == "invoice.sync.failed"
    assert b.last_error is not None and b.last_error["code"] == "PRODUCT_NOT_MAPPED"
    assert (b.external_id, b.external_number) == ("qb-b", "EXT-b")
    assert b.last_synced_at == T0 + timedelta(seconds=10)
    c = await _status(gateway_pg_pool, tenant, "c")
    assert c.last_event_id == tie[1].event_id  # equal times: the later one, as in order
    assert c.last_error is None
    assert (await _status(gateway_pg_pool, other, "a")).last_event_type == ("invoice.sync.skipped")


async def test_results_older_than_the_stored_one_change_nothing_even_their_ids(
    gateway_pg_pool: asyncpg.Pool,
) -> None:
    tenant = new_tenant()
    stored = at(50, tenant, "x", external_id="qb-stored", external_number="EXT-stored")
    await _record(gateway_pg_pool, [stored])

    older_success = at(30, tenant, "x", external_id="qb-older", external_number="EXT-older")
    newer_failure = at(60, tenant, "x", "failed")
    await _record(gateway_pg_pool, [older_success, newer_failure])

    x = await _status(gateway_pg_pool, tenant, "x")
    assert x.last_event_id == newer_failure.event_id
    # One by one, the older success would have been refused before the failure landed.
    assert (x.external_id, x.external_number) == ("qb-stored", "EXT-stored")
    assert x.last_synced_at == T0 + timedelta(seconds=50)

    await _record(gateway_pg_pool, [at(40, tenant, "x")])
    assert (await _status(gateway_pg_pool, tenant, "x")).last_event_id == (newer_failure.event_id)


async def test_an_empty_batch_sends_nothing(gateway_pg_pool: asyncpg.Pool) -> None:
    assert await _record(gateway_pg_pool, []) == []
