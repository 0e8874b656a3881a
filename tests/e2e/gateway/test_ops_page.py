"""The ops dashboard in headless Chromium against real gateways, Kafka and PostgreSQL:
every section shows the tenants' real numbers, updates live over SSE, each number links
to the filtered inbox or batch list, and only the operator (or an ops page token) reads it."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from deploy.local.services import ServiceProcess
from services.contract.common import utc_now
from services.contract.connection_status import (
    ConnectionState,
    QuickBooksConnectionStatusChanged,
)
from services.contract.errors import ErrorCode
from services.contract.reconciliation import (
    CategoryTotals,
    ReconciliationCategory,
    ReconciliationCompleted,
)
from services.contract.settings import ConflictPolicy
from services.contract.topics import Topic, tenant_key
from tests.e2e.gateway.page import until
from tests.integration.gateway.helpers import ADMIN, mint_token, push
from tests.integration.gateway.results import publish_results, result
from tests.support.factories import new_tenant
from tests.support.kafka import produce

pytestmark = pytest.mark.e2e


# The page re-renders on every update, so an element found a moment ago may be gone: each
# read is one script run in the page, which sees one consistent DOM.
def _text(driver: webdriver.Chrome, element_id: str) -> str:
    return str(driver.execute_script(f"return document.getElementById('{element_id}').innerText"))


def _rows(driver: webdriver.Chrome, table: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = driver.execute_script(
        f"return Array.from(document.querySelectorAll('#{table} tr')).map(r => ({{"
        "text: r.innerText, links: Array.from(r.querySelectorAll('td')).map("
        "c => { const a = c.querySelector('a'); return a ? a.href : null; })}))"
    )
    return rows


def _link(driver: webdriver.Chrome, table: str, row_text: str, column: int) -> str:
    for row in _rows(driver, table):
        if row_text in str(row["text"]):
            links = row["links"]
            assert isinstance(links, list)
            return str(links[column])
    raise AssertionError(f"no row with {row_text!r} in #{table}")


def _row_text(driver: webdriver.Chrome, table: str, row_text: str) -> str:
    texts = [str(r["text"]) for r in _rows(driver, table)]
    return next((t for t in texts if row_text in t), "")


async def test_ops_page_shows_live_numbers_with_links(
    browser: webdriver.Chrome,
    gateways: list[ServiceProcess],
    kafka_bootstrap_servers: str,
    artifacts_dir: Path,
) -> None:
    busy, broken = new_tenant(), new_tenant()
    async with httpx.AsyncClient(base_url=gateways[0].url or "", timeout=30) as client:
        done = (await push(client, busy, ["o-1", "o-2"])).json()["batch_id"]
        running = (await push(client, busy, ["o-3", "o-4", "o-5", "o-6"])).json()["batch_id"]
        await publish_results(
            kafka_bootstrap_servers,
            [
                result(
                    busy, done, "o-1", "failed", batch_size=2, code=ErrorCode.QBO_DUPLICATE_NUMBER
                ),
                result(busy, done, "o-2", "failed", batch_size=2, code=ErrorCode.QBO_RATE_LIMITED),
                result(busy, running, "o-3", batch_size=4),
            ],
        )
        report = QuickBooksConnectionStatusChanged(
            tenant_id=broken,
            status=ConnectionState.BROKEN,
            realm_id="9341453000000001",
            reason="invalid_grant",
            token_version=3,
        )
        await produce(kafka_bootstrap_servers, Topic.CONNECTION_STATUS, report, tenant_key(broken))

        minted = await client.post("/v1/ops/page-token", headers=ADMIN)
        assert minted.status_code == 201, minted.text
        page = minted.json()["page"]
        browser.get(page)
        await until(lambda: _text(browser, "status") == "live", "the live stream")
        await until(lambda: busy in _text(browser, "failures-by-tenant"), "the busy tenant")
        await until(lambda: broken in _text(browser, "not-working"), "the broken tenant")
        await until(lambda: "25%" in _row_text(browser, "batches", busy), "the running batch")

        assert "invalid_grant" in _row_text(browser, "not-working", broken)
        assert "2" in _row_text(browser, "failures-by-tenant", busy).split()
        assert busy in _row_text(browser, "throttled", busy)
        codes = _text(browser, "failures-by-code")
        assert "QBO_DUPLICATE_NUMBER" in codes and "QBO_RATE_LIMITED" in codes
        assert int(browser.find_element(By.CSS_SELECTOR, "#connections .tile.broken b").text) >= 1
        assert "dead-lettered" in _text(browser, "kafka")
        assert "gateway-e2e" in _text(browser, "lag")
        screenshot = artifacts_dir / "ops-page.png"
        assert browser.save_screenshot(str(screenshot))
        assert screenshot.stat().st_size > 10_000

        # Each number links to the list behind it, which holds exactly those invoices.
        inbox_link = _link(browser, "failures-by-tenant", busy, 2)
        assert f"/v1/tenants/{busy}/invoices?status=failed" in inbox_link
        listed = (await client.get(inbox_link, headers=ADMIN)).json()["items"]
        assert sorted(i["invoice_id"] for i in listed) == ["o-1", "o-2"]
        batches_link = _link(browser, "batches", busy, 0)
        assert f"/v1/tenants/{busy}/push-batches?state=running" in batches_link
        listed = (await client.get(batches_link, headers=ADMIN)).json()["items"]
        assert [b["batch_id"] for b in listed] == [running]

        # Live: a new failure reaches the open page without a reload.
        await publish_results(
            kafka_bootstrap_servers,
            [result(busy, running, "o-4", "failed", batch_size=4, code=ErrorCode.QBO_VALIDATION)],
        )
        await until(
            lambda: "3" in _row_text(browser, "failures-by-tenant", busy).split(), "the new failure"
        )
        await until(lambda: "50%" in _row_text(browser, "batches", busy), "the batch moving")
        assert "QBO_VALIDATION" in _text(browser, "failures-by-code")
        await _shows_last_reconciliation(browser, client, kafka_bootstrap_servers, busy)


async def _shows_last_reconciliation(
    driver: webdriver.Chrome, client: httpx.AsyncClient, bootstrap: str, tenant: str
) -> None:
    """A run started, then reported completed by the worker, reaches the open page: its
    state, and per category a count linked to that category's rows."""
    started = await client.post(f"/v1/tenants/{tenant}/reconciliations", headers=ADMIN)
    run = uuid.UUID(started.json()["id"])
    await until(lambda: "queued" in _row_text(driver, "reconciliations", tenant), "the run")
    totals = CategoryTotals(count=3, mediaos_amount=Decimal("30"), quickbooks_amount=Decimal("29"))
    done = ReconciliationCompleted(
        tenant_id=tenant, reconciliation_id=run, state="completed",
        conflict_policy=ConflictPolicy.REPORT, invoices_total=3,
        categories={ReconciliationCategory.DIFFERENT: totals}, totals=totals,
        quickbooks_calls=1, finding_chunks=0, started_at=utc_now(),
    )  # fmt: skip
    await produce(bootstrap, Topic.RECONCILIATIONS.value, done, tenant_key(tenant))
    await until(lambda: "completed" in _row_text(driver, "reconciliations", tenant), "done")
    # tenant, state, when, in sync, missing, different, only in QuickBooks, not sendable
    cells = _row_text(driver, "reconciliations", tenant).split()
    assert cells[-5:] == ["0", "0", "3", "0", "0"], cells
    link = _link(driver, "reconciliations", tenant, 5)
    assert link.endswith(f"/reconciliations/{run}/differences?category=different")
    assert (await client.get(link, headers=ADMIN)).status_code == 200


async def test_only_the_operator_or_an_ops_page_token_reads_the_ops_view(
    gateways: list[ServiceProcess],
) -> None:
    tenant = new_tenant()
    async with httpx.AsyncClient(base_url=gateways[0].url or "", timeout=30) as client:
        admin_token = await mint_token(client, tenant, "admin")
        tenant_headers = {"Authorization": f"Bearer {admin_token}"}
        assert (await client.get("/v1/ops/overview")).status_code == 401
        assert (await client.get("/v1/ops/overview", headers=tenant_headers)).status_code == 403
        assert (await client.post("/v1/ops/page-token", headers=tenant_headers)).status_code == 403
        overview = await client.get("/v1/ops/overview", headers=ADMIN)
        assert overview.status_code == 200 and "connections" in overview.json()

        token = (await client.post("/v1/ops/page-token", headers=ADMIN)).json()["token"]
        by_query = await client.get("/v1/ops/overview", params={"access_token": token})
        assert by_query.status_code == 200
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/v1/ops/overview", headers=bearer)).status_code == 200
        # Read-only and ops-only: it opens no tenant's data and mints nothing.
        assert (await client.post("/v1/ops/page-token", headers=bearer)).status_code == 401
        assert (
            await client.get(f"/v1/tenants/{tenant}/invoices", params={"access_token": token})
        ).status_code == 401
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        assert (
            await client.get("/v1/ops/overview", params={"access_token": forged})
        ).status_code == 401
        assert (
            await client.get("/v1/ops/overview", params={"access_token": admin_token})
        ).status_code == 401
