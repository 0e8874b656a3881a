"""The progress window in headless Chromium: live to 100%, then "Retry failed"."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from deploy.local.services import ServiceProcess
from tests.integration.gateway.helpers import publish_results, push, result, wait_for_progress
from tests.support.factories import new_tenant

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path(shutil.which("chromedriver") or "/usr/bin/chromedriver")


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    assert CHROMIUM.exists(), "install Debian's chromium and chromium-driver packages"
    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1100,1000",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


async def _until(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"page never showed {what}")
        await asyncio.sleep(0.1)


def _text(driver: webdriver.Chrome, element_id: str) -> str:
    return str(driver.find_element(By.ID, element_id).text)


async def test_progress_window_follows_a_running_batch_to_100_percent(
    browser: webdriver.Chrome,
    gateways: list[ServiceProcess],
    kafka_bootstrap_servers: str,
    artifacts_dir: Path,
) -> None:
    tenant, n = new_tenant(), 12
    ids = [f"INV-{1040 + i}" for i in range(n)]
    async with httpx.AsyncClient(base_url=gateways[0].url or "") as client:
        accepted = (await push(client, tenant, ids)).json()
        batch_id = accepted["batch_id"]
        browser.get(accepted["links"]["page"])
        await _until(lambda: _text(browser, "connection") == "Live", "the live stream")
        await _until(lambda: len(browser.find_elements(By.CSS_SELECTOR, "#rows tr")) == n, "rows")
        assert _text(browser, "percent") == "0%"
        assert _text(browser, "count-pending") == str(n)

        failing = {ids[3], ids[8]}
        events = [
            result(tenant, batch_id, i, "failed" if i in failing else "succeeded", batch_size=n)
            for i in ids
        ]
        seen_percentages: set[str] = set()
        for start in range(0, n, 3):  # over about four seconds
            await publish_results(kafka_bootstrap_servers, events[start : start + 3])
            expected = f"{round((start + 3) / n * 100, 1):g}%"
            await _until(
                lambda expected=expected: _text(browser, "percent") == expected,  # type: ignore[misc]
                f"{start + 3} results",
            )
            seen_percentages.add(_text(browser, "percent"))
            await asyncio.sleep(1.0)

        await _until(lambda: _text(browser, "connection") == "Finished", "the end event")
        assert seen_percentages == {"25%", "50%", "75%", "100%"}
        state = browser.find_element(By.ID, "state")
        assert state.get_attribute("data-state") == "completed_with_errors"
        assert _text(browser, "count-succeeded") == "10"
        assert _text(browser, "count-failed") == "2"
        assert _text(browser, "count-pending") == "0"
        row = browser.find_element(By.CSS_SELECTOR, f'#rows tr[data-invoice="{ids[0]}"]')
        assert row.get_attribute("data-status") == "succeeded"
        assert f"EXT-{ids[0]}" in row.text
        failed_row = browser.find_element(By.CSS_SELECTOR, f'#rows tr[data-invoice="{ids[3]}"]')
        assert "PRODUCT_NOT_MAPPED" in failed_row.text and f"for {ids[3]}" in failed_row.text
        retry = browser.find_element(By.ID, "retry")
        assert retry.is_enabled()
        screenshot = artifacts_dir / "progress-window.png"
        assert browser.save_screenshot(str(screenshot))
        assert screenshot.stat().st_size > 10_000

        retry.click()
        alert = browser.switch_to.alert
        assert "overwrite any existing QuickBooks data" in alert.text
        alert.accept()
        await _until(lambda: batch_id not in browser.current_url, "the retry batch's page")
        new_batch = browser.current_url.split("/batches/")[1].split("?")[0]
        await _until(lambda: _text(browser, "count-total") == "2", "the retry batch's total")
        retried = await wait_for_progress(client, tenant, new_batch, lambda p: True)
        assert retried["retry_of"] == batch_id and retried["counts"]["total"] == 2
