"""Throttling (JSON and XML), injected faults, stats, and drop_after_commit."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import httpx
import pytest

from .conftest import RealmHandle
from .test_invoice_api import assert_fault

QBO_NS = "{http://schema.intuit.com/finance/v3}"
THROTTLE_MESSAGE = "message=ThrottleExceeded; errorCode=003001; statusCode=429"


def _burst(realm: RealmHandle, count: int) -> list[httpx.Response]:
    return [realm.get(f"item/{realm.item_id}") for _ in range(count)]


def test_per_second_limit_gives_429_3001_json(realm: RealmHandle) -> None:
    realm.http.put(f"{realm.admin}/limits", json={"per_second": 3, "per_minute": 500})
    responses = _burst(realm, 5)
    assert [r.status_code for r in responses[:3]] == [200, 200, 200]
    error = assert_fault(responses[3], 429, "3001", "SERVICE")
    assert error["Message"] == THROTTLE_MESSAGE
    stats = realm.http.get(f"{realm.admin}/stats").json()
    assert stats["throttled"] >= 2
    assert stats["requests"]["item.read"]["429"] >= 2
    assert stats["peak_per_second"] <= 3
    assert stats["peak_per_second_including_throttled"] >= 5
    time.sleep(1.05)
    assert realm.get(f"item/{realm.item_id}").status_code == 200


def test_throttle_as_xml_setting(realm: RealmHandle) -> None:
    realm.http.put(f"{realm.admin}/settings", json={"throttle_as_xml": True})
    realm.http.put(f"{realm.admin}/limits", json={"per_second": 1})
    responses = _burst(realm, 2)
    throttled = responses[1]
    assert throttled.status_code == 429
    assert throttled.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(throttled.text)
    assert root.tag == f"{QBO_NS}IntuitResponse"
    assert root.get("time")
    fault = root.find(f"{QBO_NS}Fault")
    assert fault is not None and fault.get("type") == "SERVICE"
    error = fault.find(f"{QBO_NS}Error")
    assert error is not None and error.get("code") == "3001"
    assert error.findtext(f"{QBO_NS}Message") == THROTTLE_MESSAGE


def test_batch_items_count_against_the_minute_budget(realm: RealmHandle) -> None:
    """A batch is one request in the per-second window, but each item is a call against
    the per-minute budget (services/quickbooks_sandbox/README.md, "Throttling")."""
    realm.http.put(f"{realm.admin}/limits", json={"per_second": 100, "per_minute": 6})
    batch = {"BatchItemRequest": [{"bId": str(i), "Query": "select * from Item"} for i in range(4)]}
    assert realm.post("batch", batch).status_code == 200  # 4 of 6
    assert realm.post("batch", batch).status_code == 429  # 8 > 6: all or nothing
    assert realm.get(f"item/{realm.item_id}").status_code == 200  # 5 of 6
    assert realm.get(f"item/{realm.item_id}").status_code == 200  # 6 of 6
    assert realm.get(f"item/{realm.item_id}").status_code == 429


def test_per_minute_limit(realm: RealmHandle) -> None:
    realm.http.put(f"{realm.admin}/limits", json={"per_second": 100, "per_minute": 4})
    statuses = [r.status_code for r in _burst(realm, 6)]
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_injected_throttle_json_and_xml(realm: RealmHandle) -> None:
    faults = f"{realm.admin}/faults"
    realm.http.post(faults, json={"kind": "throttle", "endpoint": "invoice.create"})
    realm.http.post(faults, json={"kind": "throttle", "xml": True, "endpoint": "invoice.create"})
    # Another endpoint is not affected.
    assert realm.get(f"item/{realm.item_id}").status_code == 200
    first = realm.post("invoice", realm.invoice_body())
    assert_fault(first, 429, "3001", "SERVICE")
    second = realm.post("invoice", realm.invoice_body())
    assert second.status_code == 429 and "<IntuitResponse" in second.text
    assert realm.post("invoice", realm.invoice_body()).status_code == 200
    assert len(realm.all_invoices()) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_injected_server_errors_do_not_run_the_operation(realm: RealmHandle, status: int) -> None:
    created = realm.http.post(
        f"{realm.admin}/faults", json={"kind": "server_error", "status": status, "count": 2}
    )
    assert created.status_code == 201
    for _ in range(2):
        response = realm.post("invoice", realm.invoice_body())
        assert response.status_code == status
    if status == 500:
        assert_fault(response, 500, "10000", "SystemFault")
    else:
        assert response.headers["content-type"].startswith("text/html")
    assert realm.all_invoices() == []
    assert realm.post("invoice", realm.invoice_body()).status_code == 200


def test_injected_latency(realm: RealmHandle) -> None:
    realm.http.post(f"{realm.admin}/faults", json={"kind": "latency", "latency_ms": 300})
    started = time.monotonic()
    assert realm.get(f"item/{realm.item_id}").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_clearing_faults(realm: RealmHandle) -> None:
    realm.http.post(f"{realm.admin}/faults", json={"kind": "server_error", "count": 5})
    cleared = realm.http.delete(f"{realm.admin}/faults")
    assert cleared.json() == {"cleared": 1}
    assert realm.get(f"item/{realm.item_id}").status_code == 200


def test_bad_fault_spec_is_400(realm: RealmHandle) -> None:
    response = realm.http.post(f"{realm.admin}/faults", json={"kind": "meteor"})
    assert response.status_code == 400
    assert "kind" in response.json()["error"]


def test_drop_after_commit_times_out_client_but_invoice_exists(realm: RealmHandle) -> None:
    realm.http.post(
        f"{realm.admin}/faults", json={"kind": "drop_after_commit", "endpoint": "invoice.create"}
    )
    started = time.monotonic()
    with pytest.raises(httpx.TimeoutException):
        realm.http.post(
            f"{realm.base}/invoice",
            params={"requestid": "drop-1"},
            json=realm.invoice_body(),
            headers=realm.auth,
            timeout=1.0,
        )
    assert time.monotonic() - started < 5
    invoices = realm.all_invoices()
    assert len(invoices) == 1
    # Retrying with the same requestid returns the committed invoice instead of a duplicate.
    retry = realm.post("invoice", realm.invoice_body(), requestid="drop-1")
    assert retry.json()["Invoice"]["Id"] == invoices[0]["Id"]
    assert len(realm.all_invoices()) == 1


def test_drop_after_commit_abort_mode_resets_connection(realm: RealmHandle) -> None:
    realm.http.post(f"{realm.admin}/faults", json={"kind": "drop_after_commit", "mode": "abort"})
    started = time.monotonic()
    with (
        httpx.Client(base_url=str(realm.http.base_url), timeout=5) as fresh,
        pytest.raises(httpx.TransportError) as excinfo,
    ):
        fresh.post(f"{realm.base}/invoice", json=realm.invoice_body(), headers=realm.auth)
    assert not isinstance(excinfo.value, httpx.TimeoutException)
    assert time.monotonic() - started < 3
    assert len(realm.all_invoices()) == 1


def test_drop_after_commit_on_token_refresh_loses_the_rotated_token(realm: RealmHandle) -> None:
    realm.http.post(
        f"{realm.admin}/faults",
        json={"kind": "drop_after_commit", "endpoint": "token", "mode": "abort"},
    )
    with pytest.raises(httpx.TransportError):
        realm.refresh()
    assert realm.refresh().json() == {"error": "invalid_grant"}


def test_stats_labels(realm: RealmHandle) -> None:
    invoice = realm.create_invoice()
    realm.post("invoice", {"Id": invoice["Id"], "SyncToken": "0", "sparse": True})
    realm.get(f"invoice/{invoice['Id']}")
    realm.get("query", query="select * from Invoice")
    stats = realm.http.get(f"{realm.admin}/stats").json()
    for label in ("invoice.create", "invoice.update", "invoice.read", "query", "token"):
        assert stats["requests"][label]["200"] >= 1, label
    assert stats["total_requests"] == sum(
        n for counts in stats["requests"].values() for n in counts.values()
    )
    assert stats["peak_per_minute"] >= 4
