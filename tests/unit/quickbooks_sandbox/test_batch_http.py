"""`/batch` over HTTP at default limits: 30 items pass, 31 are 1040, batches are not 429'd
by the per-second window, and a 429 names the window that refused it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.quickbooks_sandbox import SandboxConfig, create_app

APP = ("batch-test-app", "batch-test-secret")


class Clock:
    def __init__(self) -> None:
        self.now = 1_767_225_600.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def api(clock: Clock) -> Any:
    config = SandboxConfig(client_id=APP[0], client_secret=APP[1])
    transport = httpx.ASGITransport(app=create_app(config, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        seed = {"items": [{"name": "Ad", "unit_price": 10}], "customers": [{"display_name": "A"}]}
        realm = (await http.post("/_sandbox/realms", json=seed)).json()
        tokens = (
            await http.post(
                "/oauth2/v1/tokens/bearer",
                data={"grant_type": "refresh_token", "refresh_token": realm["refresh_token"]},
                auth=APP,
            )
        ).json()
        http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        yield http, realm


def creates(realm: dict[str, Any], n: int) -> dict[str, Any]:
    line = {
        "Amount": 10,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": realm["items"][0]["Id"]}},
    }
    invoice = {"CustomerRef": {"value": realm["customers"][0]["Id"]}, "Line": [line]}
    return {
        "BatchItemRequest": [
            {"bId": str(i), "operation": "create", "Invoice": invoice} for i in range(n)
        ]
    }


async def test_thirty_items_pass_twice_in_one_second(api: Any) -> None:
    http, realm = api
    url = f"/v3/company/{realm['realm_id']}/batch"
    for _ in range(2):
        response = await http.post(url, json=creates(realm, 30))
        assert response.status_code == 200, response.text
        assert all("Invoice" in r for r in response.json()["BatchItemResponse"])
    listed = (await http.get(f"/_sandbox/realms/{realm['realm_id']}/invoices")).json()
    assert listed["count"] == 60


async def test_thirty_one_items_are_1040_and_cost_nothing(api: Any) -> None:
    http, realm = api
    response = await http.post(f"/v3/company/{realm['realm_id']}/batch", json=creates(realm, 31))
    assert response.status_code == 400
    assert response.json()["Fault"]["Error"][0]["code"] == "1040"
    stats = (await http.get(f"/_sandbox/realms/{realm['realm_id']}/stats")).json()
    assert stats["peak_per_minute"] == 0
    listed = (await http.get(f"/_sandbox/realms/{realm['realm_id']}/invoices")).json()
    assert listed["count"] == 0


async def test_per_second_window_counts_batch_requests(api: Any) -> None:
    http, realm = api
    url = f"/v3/company/{realm['realm_id']}/batch"
    statuses = [(await http.post(url, json=creates(realm, 2))).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]


async def test_minute_budget_429_says_when_capacity_returns(api: Any, clock: Clock) -> None:
    http, realm = api
    url = f"/v3/company/{realm['realm_id']}/batch"
    for _ in range(16):  # 16 x 30 = 480 of 500 calls, 7 requests a second
        assert (await http.post(url, json=creates(realm, 30))).status_code == 200
        clock.now += 0.15
    refused = await http.post(url, json=creates(realm, 30))
    assert refused.status_code == 429
    error = refused.json()["Fault"]["Error"][0]
    assert error["code"] == "3001"
    assert "500 API calls per minute" in error["Detail"]
    assert "Wait 60 seconds" not in error["Detail"]
    assert (await http.post(url, json=creates(realm, 20))).status_code == 200


async def test_latency_admin_routes(api: Any) -> None:
    http, realm = api
    assert (await http.get("/_sandbox/latency")).json() == {"latency": None}
    put = await http.put("/_sandbox/latency", json={"profile": "intuit"})
    assert put.json()["latency"] == {"distribution": "lognormal", "p50_ms": 300.0, "p99_ms": 1200.0}
    own = await http.put(
        f"/_sandbox/realms/{realm['realm_id']}/latency", json={"p50_ms": 1, "p99_ms": 2}
    )
    assert own.json() == {
        "latency": {"distribution": "lognormal", "p50_ms": 1.0, "p99_ms": 2.0},
        "own": True,
    }
    off = await http.put(f"/_sandbox/realms/{realm['realm_id']}/latency", json={"profile": "off"})
    assert off.json() == {"latency": None, "own": False}
    bad = await http.put("/_sandbox/latency", json={"p50_ms": 9, "p99_ms": 1})
    assert bad.status_code == 400


async def test_a_batch_requestid_longer_than_36_is_refused_and_36_replays(api: Any) -> None:
    http, realm = api
    url = f"/v3/company/{realm['realm_id']}/batch"
    long = await http.post(url, params={"requestid": "b" * 37}, json=creates(realm, 2))
    assert long.status_code == 400
    assert long.json()["Fault"]["Error"][0]["code"] == "2050"
    first = await http.post(url, params={"requestid": "b" * 36}, json=creates(realm, 2))
    again = await http.post(url, params={"requestid": "b" * 36}, json=creates(realm, 2))
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json(), "the original answer, not two more invoices"
    listed = (await http.get(f"/_sandbox/realms/{realm['realm_id']}/invoices")).json()
    assert listed["count"] == 2


def test_a_batch_is_delayed_once_per_item() -> None:
    """Intuit runs a batch's items one after another."""
    config = SandboxConfig(client_id=APP[0], client_secret=APP[1], latency="p50=20,p99=20")
    context = create_app(config).state.sandbox_context
    realm = context.sandbox.create_realm({}, 0.0).realm
    assert context.latency_for(realm) == pytest.approx(0.02)
    assert context.latency_for(realm, 5) == pytest.approx(0.1)
