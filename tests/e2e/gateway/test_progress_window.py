"""The progress window in headless Chromium: live to 100% with failed rows first, plain
language errors, invoice number/customer/amount and a live ETA; then "Retry failed"."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select

from deploy.local.services import ServiceProcess
from tests.e2e.gateway.page import until
from tests.e2e.gateway.progress_data import PRODUCT, batch_results, invoice_number
from tests.integration.gateway.helpers import push, wait_for_progress
from tests.integration.gateway.results import publish_results
from tests.support.factories import new_tenant

pytestmark = pytest.mark.e2e


def _text(driver: webdriver.Chrome, element_id: str) -> str:
    return str(driver.find_element(By.ID, element_id).text)


def _rows(driver: webdriver.Chrome) -> list[tuple[str, str]]:
    """(invoice id, status) of the displayed rows, top to bottom."""
    return [
        (str(tr.get_attribute("data-invoice")), str(tr.get_attribute("data-status")))
        for tr in driver.find_elements(By.CSS_SELECTOR, "#rows tr")
        if tr.is_displayed()
    ]


def _shot(driver: webdriver.Chrome, path: Path) -> None:
    assert driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000


QBO_INVOICE = "https://app.qbo.intuit.com/app/invoice?txnId="
ETA = re.compile(r"^about \d+( min)?( \d+ s| s)? left$")


async def test_progress_window_follows_a_running_batch_to_100_percent(
    browser: webdriver.Chrome,
    gateways: list[ServiceProcess],
    kafka_bootstrap_servers: str,
    artifacts_dir: Path,
) -> None:
    tenant, n = new_tenant(), 12
    ids = [f"INV-{1040 + i}" for i in range(n)]
    failing = {ids[3], ids[8]}
    async with httpx.AsyncClient(base_url=gateways[0].url or "") as client:
        accepted = (await push(client, tenant, ids)).json()
        batch_id = accepted["batch_id"]
        browser.get(accepted["links"]["page"])
        await until(lambda: _text(browser, "connection") == "· Live", "the live stream")
        await until(lambda: len(_rows(browser)) == n, "rows")
        assert _text(browser, "percent") == "0%"
        assert _text(browser, "count-pending") == str(n)
        assert _text(browser, "eta") == ""  # no rate yet, so no guess
        assert [i for i, _ in _rows(browser)] == ids  # all waiting: request order
        _shot(browser, artifacts_dir / "progress-window-0.png")

        events = batch_results(tenant, batch_id, ids, failing)
        seen_percentages: set[str] = set()
        seen_eta: set[str] = set()
        for start in range(0, n, 3):  # over about four seconds
            await publish_results(kafka_bootstrap_servers, events[start : start + 3])
            expected = f"{round((start + 3) / n * 100, 1):g}%"
            await until(
                lambda expected=expected: _text(browser, "percent") == expected,  # type: ignore[misc]
                f"{start + 3} results",
            )
            seen_percentages.add(_text(browser, "percent"))
            if start == 3:  # mid-run: 6 of 12, one failure so far
                await until(lambda: bool(ETA.match(_text(browser, "eta"))), "a live ETA")
                seen_eta.add(_text(browser, "eta"))
                assert _rows(browser)[0] == (ids[3], "failed")
                assert browser.find_element(By.ID, "bar").get_attribute("aria-valuenow") == "50"
                _shot(browser, artifacts_dir / "progress-window-mid.png")
            await asyncio.sleep(1.0)

        await until(lambda: _text(browser, "connection") == "· Finished", "the end event")
        assert seen_percentages == {"25%", "50%", "75%", "100%"}
        assert seen_eta and _text(browser, "eta") == ""  # done: no estimate left
        state = browser.find_element(By.ID, "state")
        assert state.get_attribute("data-state") == "completed_with_errors"
        assert _text(browser, "count-succeeded") == "10"
        assert _text(browser, "count-failed") == "2"
        assert _text(browser, "count-pending") == "0"
        await until(lambda: _rows(browser)[1][1] == "failed", "both failures on top")
        shown = _rows(browser)
        assert shown[:2] == [(ids[3], "failed"), (ids[8], "failed")]
        assert [i for i, _ in shown[2:]] == [i for i in ids if i not in failing]
        _check_done_rows(browser, ids)
        _check_layout_and_contrast(browser)
        _shot(browser, artifacts_dir / "progress-window.png")
        _check_filter_by_keyboard(browser, ids, failing)

        retry = browser.find_element(By.ID, "retry")
        assert retry.is_enabled()
        retry.click()
        alert = browser.switch_to.alert
        assert "overwrite any existing QuickBooks data" in alert.text
        alert.accept()
        await until(lambda: batch_id not in browser.current_url, "the retry batch's page")
        new_batch = browser.current_url.split("/batches/")[1].split("?")[0]
        await until(lambda: _text(browser, "count-total") == "2", "the retry batch's total")
        retried = await wait_for_progress(client, tenant, new_batch, lambda p: True)
        assert retried["retry_of"] == batch_id and retried["counts"]["total"] == 2
        original = browser.find_element(By.ID, "original-link")
        assert batch_id in _text(browser, "lineage")
        assert f"/batches/{batch_id}?" in str(original.get_attribute("href"))
        original.click()
        await until(lambda: batch_id in browser.current_url, "the original batch's page")
        await until(lambda: bool(browser.find_elements(By.ID, "retry-link")), "the retry link")
        link = browser.find_element(By.ID, "retry-link")
        assert f"/batches/{new_batch}?" in str(link.get_attribute("href"))


def _check_done_rows(browser: webdriver.Chrome, ids: list[str]) -> None:
    ok = browser.find_element(By.CSS_SELECTOR, f'#rows tr[data-invoice="{ids[0]}"]')
    assert ok.get_attribute("data-status") == "succeeded"
    assert invoice_number(0) in ok.text and "Harbor Lights Radio" in ok.text
    assert "$1,250.00" in ok.text
    external = ok.find_element(By.CSS_SELECTOR, "td.external a")
    assert external.text == f"EXT-{ids[0]}"
    assert external.get_attribute("href") == f"{QBO_INVOICE}qb-{ids[0]}"
    assert "in QuickBooks" in str(external.get_attribute("aria-label"))

    bad = browser.find_element(By.CSS_SELECTOR, f'#rows tr[data-invoice="{ids[3]}"]')
    assert invoice_number(3) in bad.text and "Metro Auto Group" in bad.text
    error = bad.find_element(By.CSS_SELECTOR, "td.error")
    assert PRODUCT[1] in error.text  # the product, by its name
    assert "Mapping Products to QuickBooks" in error.text and "Retry failed" in error.text
    assert "`" not in error.text and "PRODUCT_NOT_MAPPED" not in bad.text
    assert error.get_attribute("data-code") == "PRODUCT_NOT_MAPPED"


# WCAG contrast of each visible text element against the nearest opaque background.
CONTRAST_JS = """
const lum = (c) => { const [r, g, b] = c.match(/\\d+/g).slice(0, 3).map(Number).map((v) => {
  v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const bg = (el) => { for (; el; el = el.parentElement) { const c = getComputedStyle(el)
  .backgroundColor; if (!c.startsWith("rgba") || !c.endsWith(", 0)")) return c; }
  return "rgb(255, 255, 255)"; };
return [...document.querySelectorAll(arguments[0])].filter((el) => el.offsetParent)
  .map((el) => { const a = lum(getComputedStyle(el).color), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    return [el.textContent.trim().slice(0, 30), ratio]; });
"""
SCROLLERS_JS = """
return [...document.querySelectorAll("body *")].filter((el) => {
  const o = getComputedStyle(el).overflowY;
  return (o === "auto" || o === "scroll") && el.scrollHeight > el.clientHeight; }).length;
"""


def _check_layout_and_contrast(browser: webdriver.Chrome) -> None:
    assert browser.execute_script(SCROLLERS_JS) == 0  # the page's own scrollbar only
    browser.set_window_size(1100, 600)  # rows scroll under the header
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    top = "return arguments[0].getBoundingClientRect().top"
    assert browser.execute_script(top, browser.find_element(By.TAG_NAME, "table")) < 0
    assert browser.execute_script(top, browser.find_element(By.CSS_SELECTOR, "thead th")) == 0
    browser.set_window_size(1100, 1000)
    browser.execute_script("window.scrollTo(0, 0)")
    texts = "td, th, caption, label, #connection, .count span, .count b, .state, .sub, #eta"
    measured = browser.execute_script(CONTRAST_JS, texts)
    assert len(measured) > 50  # headers, every cell of 12 rows, counts, labels
    low = [(t, round(r, 2)) for t, r in measured if r < 4.5]
    assert low == [], low


def _check_filter_by_keyboard(browser: webdriver.Chrome, ids: list[str], failing: set[str]) -> None:
    select = browser.find_element(By.ID, "filter")
    label = browser.find_element(By.CSS_SELECTOR, 'label[for="filter"]')
    assert label.text == "Show"
    select.send_keys(Keys.ARROW_DOWN)  # keyboard only: "All invoices" -> "Failed"
    assert Select(select).first_selected_option.text == "Failed"
    assert {i for i, _ in _rows(browser)} == failing
    Select(select).select_by_value("")
    assert len(_rows(browser)) == len(ids)
    select.send_keys(Keys.TAB)  # the next stop is the action
    assert browser.switch_to.active_element.get_attribute("id") == "retry"


async def test_an_expired_link_says_how_to_get_a_new_one(
    browser: webdriver.Chrome, gateways: list[ServiceProcess]
) -> None:
    tenant = new_tenant()
    async with httpx.AsyncClient(base_url=gateways[0].url or "") as client:
        accepted = (await push(client, tenant, ["INV-7001"])).json()
    page = accepted["links"]["page"]
    token = page.split("access_token=")[1]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    browser.get(page.replace(token, forged))  # refused by the server like an expired one
    await until(lambda: browser.find_element(By.ID, "expired").is_displayed(), "expiry")
    notice = _text(browser, "expired")
    assert "This progress link has expired" in notice and "To get a new link" in notice
    assert not browser.find_element(By.ID, "progress-view").is_displayed()
    assert "0%" not in browser.find_element(By.TAG_NAME, "main").text
