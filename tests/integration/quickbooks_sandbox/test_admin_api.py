"""The `/_sandbox` admin API, the command-line start, and throughput."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path

import httpx

from deploy.local.services import sandbox_command

from .conftest import RealmHandle, connect_realm
from .servers import free_port

ROOT = Path(__file__).resolve().parents[3]


def test_healthz(http: httpx.Client) -> None:
    response = http.get("/_sandbox/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_create_realm_response(http: httpx.Client) -> None:
    response = http.post(
        "/_sandbox/realms",
        json={
            "items": [{"name": "Display Ad", "unit_price": "100.00"}, {"name": "Banner"}],
            "customers": [{"display_name": "Acme"}],
            "settings": {"custom_txn_numbers": True, "batch_max_items": 10},
            "limits": {"per_minute": 100, "per_second": 5},
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "realm_id",
        "client_id",
        "client_secret",
        "refresh_token",
        "items",
        "customers",
    }
    assert body["realm_id"].isdigit()
    assert [i["Name"] for i in body["items"]] == ["Display Ad", "Banner"]
    assert body["customers"][0]["DisplayName"] == "Acme"
    assert http.post("/_sandbox/realms").status_code == 201  # body is optional


def test_create_realm_rejects_bad_settings(http: httpx.Client) -> None:
    response = http.post("/_sandbox/realms", json={"settings": {"no_such_setting": 1}})
    assert response.status_code == 400
    assert http.get("/_sandbox/realms/000/stats").status_code == 404


def test_item_and_customer_management(realm: RealmHandle) -> None:
    item = realm.http.post(f"{realm.admin}/items", json={"name": "Podcast", "unit_price": 25})
    assert item.status_code == 201
    item_id = item.json()["Item"]["Id"]
    line = {
        "Amount": 25.0,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": item_id}, "Qty": 1, "UnitPrice": 25},
    }
    assert realm.post("invoice", realm.invoice_body(Line=[line])).status_code == 200
    realm.http.patch(f"{realm.admin}/items/{item_id}", json={"active": False})
    assert (
        realm.post("invoice", realm.invoice_body(Line=[line])).json()["Fault"]["Error"][0]["code"]
        == "2500"
    )

    customer = realm.http.post(f"{realm.admin}/customers", json={"display_name": "Hooli"})
    customer_id = customer.json()["Customer"]["Id"]
    duplicate = realm.http.post(f"{realm.admin}/customers", json={"display_name": "Hooli"})
    assert duplicate.status_code == 400
    assert duplicate.json()["Fault"]["Error"][0]["code"] == "6240"
    realm.http.patch(f"{realm.admin}/customers/{customer_id}", json={"active": False})
    body = realm.invoice_body(CustomerRef={"value": customer_id})
    assert realm.post("invoice", body).json()["Fault"]["Error"][0]["element"] == "CustomerRef"


def test_settings_for_duplicate_doc_numbers(realm: RealmHandle) -> None:
    realm.create_invoice(DocNumber="42")
    assert realm.post("invoice", realm.invoice_body(DocNumber="42")).status_code == 400
    changed = realm.http.put(f"{realm.admin}/settings", json={"warn_duplicate_doc_number": False})
    assert changed.json()["settings"]["warn_duplicate_doc_number"] is False
    assert realm.post("invoice", realm.invoice_body(DocNumber="42")).status_code == 200
    assert (
        realm.http.put(f"{realm.admin}/settings", json={"batch_max_items": "x"}).status_code == 400
    )


def test_invoice_listing_includes_deleted_with_flag(realm: RealmHandle) -> None:
    kept = realm.create_invoice()
    gone = realm.create_invoice()
    realm.http.delete(f"{realm.admin}/invoices/{gone['Id']}")
    listing = realm.http.get(f"{realm.admin}/invoices").json()
    assert listing["count"] == 2
    flags = {inv["Id"]: inv["deleted"] for inv in listing["invoices"]}
    assert flags == {kept["Id"]: False, gone["Id"]: True}


def test_user_edit_bumps_sync_token_so_client_gets_5010(realm: RealmHandle) -> None:
    invoice = realm.create_invoice()
    realm.http.patch(f"{realm.admin}/invoices/{invoice['Id']}", json={"DueDate": "2030-01-01"})
    stale = realm.post("invoice", {"Id": invoice["Id"], "SyncToken": "0", "sparse": True})
    assert stale.json()["Fault"]["Error"][0]["code"] == "5010"
    fresh = realm.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    assert (fresh["SyncToken"], fresh["DueDate"]) == ("1", "2030-01-01")
    missing = realm.http.patch(f"{realm.admin}/invoices/99999", json={})
    assert missing.json()["Fault"]["Error"][0]["code"] == "610"


def test_throughput_of_concurrent_creates(http: httpx.Client) -> None:
    realm = connect_realm(http, {"limits": {"per_second": 100_000, "per_minute": 1_000_000}})
    total, workers = 600, 8

    async def push() -> float:
        async with httpx.AsyncClient(base_url=str(http.base_url), timeout=10) as client:
            queue = list(range(total))

            async def worker() -> None:
                while queue:
                    number = queue.pop()
                    response = await client.post(
                        f"{realm.base}/invoice",
                        json=realm.invoice_body(DocNumber=f"P{number}"),
                        headers=realm.auth,
                        params={"requestid": f"perf-{number}"},
                    )
                    assert response.status_code == 200

            started = time.monotonic()
            await asyncio.gather(*(worker() for _ in range(workers)))
            return time.monotonic() - started

    elapsed = asyncio.run(push())
    assert total / elapsed > 100, f"{total / elapsed:.0f} requests/s"
    count = realm.get("query", query="select count(*) from Invoice").json()
    assert count["QueryResponse"]["totalCount"] == total
    lookup = realm.get("query", query="select * from Invoice where DocNumber = 'P123'").json()
    assert len(lookup["QueryResponse"]["Invoice"]) == 1


def test_command_line_start() -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QBO_SANDBOX_WEBHOOK_URL": ""}
    process = subprocess.Popen(
        sandbox_command(port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/_sandbox/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "sandbox did not start"
                time.sleep(0.1)
        assert response.json()["status"] == "ok"
    finally:
        process.terminate()
        process.wait(timeout=10)
