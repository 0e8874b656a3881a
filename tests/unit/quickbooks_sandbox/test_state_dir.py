"""`--state-dir`: a second app on the same directory carries on where the first stopped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from services.quickbooks_sandbox import SandboxConfig, create_app
from services.quickbooks_sandbox.domain.events import ChangeEvent
from services.quickbooks_sandbox.state import StateStore
from services.quickbooks_sandbox.webhooks import WebhookDispatcher

APP = ("state-test-app", "state-test-secret")


def client(state_dir: Path) -> httpx.AsyncClient:
    config = SandboxConfig(client_id=APP[0], client_secret=APP[1], state_dir=str(state_dir))
    transport = httpx.ASGITransport(app=create_app(config))
    return httpx.AsyncClient(transport=transport, base_url="http://sandbox")


async def refresh(http: httpx.AsyncClient, token: str) -> httpx.Response:
    return await http.post(
        "/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": token},
        auth=APP,
    )


def invoice(realm: dict[str, Any]) -> dict[str, Any]:
    return {
        "CustomerRef": {"value": realm["customers"][0]["Id"]},
        "Line": [
            {
                "Amount": 100,
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {"ItemRef": {"value": realm["items"][0]["Id"]}},
            }
        ],
    }


async def test_realms_tokens_entities_replays_and_cdc_survive_a_restart(tmp_path: Path) -> None:
    async with client(tmp_path) as first:
        seed = {"items": [{"name": "Ad", "unit_price": 100}], "customers": [{"display_name": "A"}]}
        realm = (await first.post("/_sandbox/realms", json=seed)).json()
        tokens = (await refresh(first, realm["refresh_token"])).json()
        base = f"/v3/company/{realm['realm_id']}"
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        created = await first.post(
            f"{base}/invoice?requestid=r-1", json=invoice(realm), headers=auth
        )
        doomed = (await first.post(f"{base}/invoice", json=invoice(realm), headers=auth)).json()
        await first.post(
            f"{base}/invoice?operation=delete",
            json={"Id": doomed["Invoice"]["Id"], "SyncToken": "0"},
            headers=auth,
        )

    snapshots = "".join(p.read_text() for p in (tmp_path / "realms").glob("*.json"))
    assert tokens["access_token"] not in snapshots
    assert tokens["refresh_token"] not in snapshots
    assert APP[1] not in snapshots

    async with client(tmp_path) as second:
        invoice_id = created.json()["Invoice"]["Id"]
        read = await second.get(f"{base}/invoice/{invoice_id}", headers=auth)
        assert read.status_code == 200, read.text  # the access token is still valid
        replay = await second.post(
            f"{base}/invoice?requestid=r-1", json=invoice(realm), headers=auth
        )
        assert replay.json() == created.json()  # replayed, not created again
        since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        cdc = await second.get(
            f"{base}/cdc", params={"entities": "Invoice", "changedSince": since}, headers=auth
        )
        changed = cdc.json()["CDCResponse"][0]["QueryResponse"][0]["Invoice"]
        assert [(i["Id"], i.get("status")) for i in changed] == [
            (invoice_id, None),
            (doomed["Invoice"]["Id"], "Deleted"),
        ]
        listed = (await second.get(f"/_sandbox/realms/{realm['realm_id']}/invoices")).json()
        assert [(i["Id"], i["deleted"]) for i in listed["invoices"]] == [
            (invoice_id, False),
            (doomed["Invoice"]["Id"], True),
        ]
        assert (await refresh(second, realm["refresh_token"])).json() == {"error": "invalid_grant"}
        rotated = await refresh(second, tokens["refresh_token"])
        assert rotated.status_code == 200
        next_invoice = await second.post(f"{base}/invoice", json=invoice(realm), headers=auth)
        assert int(next_invoice.json()["Invoice"]["Id"]) > int(doomed["Invoice"]["Id"])
        assert next_invoice.json()["Invoice"]["DocNumber"] == "1003"


async def test_undelivered_webhook_events_are_kept_until_a_webhook_is_configured(
    tmp_path: Path,
) -> None:
    store = StateStore(tmp_path)
    dispatcher = WebhookDispatcher(url="http://127.0.0.1:9/hook", verifier_token="v")
    dispatcher.on_change = store.save_webhooks
    event = ChangeEvent("1", "Invoice", "7", "Create", "2026-01-01T00:00:00-07:00")
    dispatcher.batch_delay = 60  # never flushed within this test
    dispatcher.enqueue(event)
    await dispatcher.close()
    assert store.load_webhooks() == [event]

    restarted = WebhookDispatcher()  # no webhook configured yet
    restarted.restore(store.load_webhooks())
    assert restarted.describe()["pending"] == 1
    await restarted.close()
