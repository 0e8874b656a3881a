"""Signed change notifications delivered to a local receiver, with retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .conftest import WEBHOOK_VERIFIER, RealmHandle
from .servers import Delivery, WebhookReceiver


@pytest.fixture
def hooked(receiver: tuple[WebhookReceiver, str], http: httpx.Client) -> Iterator[WebhookReceiver]:
    recorder, url = receiver
    recorder.reset()
    body = {"url": url, "verifier_token": WEBHOOK_VERIFIER}
    configured = http.put("/_sandbox/webhook", json=body)
    assert configured.status_code == 200
    yield recorder
    http.delete("/_sandbox/webhook")


def _entities(deliveries: list[Delivery], realm_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for delivery in deliveries:
        for note in json.loads(delivery.body)["eventNotifications"]:
            if note["realmId"] == realm_id:
                found.extend(note["dataChangeEvent"]["entities"])
    return found


def _wait_for(
    recorder: WebhookReceiver, realm_id: str, count: int, timeout: float = 5.0
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with recorder.lock:
            entities = _entities(list(recorder.deliveries), realm_id)
        if len(entities) >= count:
            return entities
        time.sleep(0.05)
    raise AssertionError(f"expected {count} webhook entities, got {entities}")


def test_api_changes_are_delivered_signed(hooked: WebhookReceiver, realm: RealmHandle) -> None:
    invoice = realm.create_invoice()
    entities = _wait_for(hooked, realm.realm_id, 1)
    assert entities[0]["name"] == "Invoice"
    assert entities[0]["id"] == invoice["Id"]
    assert entities[0]["operation"] == "Create"
    assert entities[0]["lastUpdated"] == invoice["MetaData"]["LastUpdatedTime"]
    delivery = hooked.deliveries[0]
    expected = base64.b64encode(
        hmac.new(WEBHOOK_VERIFIER.encode(), delivery.body, hashlib.sha256).digest()
    ).decode()
    assert delivery.headers["intuit-signature"] == expected


def test_user_edits_void_and_delete_are_delivered(
    hooked: WebhookReceiver, realm: RealmHandle
) -> None:
    invoice = realm.create_invoice()
    path = f"{realm.admin}/invoices/{invoice['Id']}"
    edited = realm.http.patch(path, json={"PrivateNote": "changed by a bookkeeper"})
    assert edited.json()["Invoice"]["SyncToken"] == "1"
    assert realm.http.post(f"{path}/void").status_code == 200
    assert realm.http.delete(path).status_code == 200
    entities = _wait_for(hooked, realm.realm_id, 4)
    assert [e["operation"] for e in entities] == ["Create", "Update", "Void", "Delete"]


def test_events_are_batched_into_one_delivery(hooked: WebhookReceiver, realm: RealmHandle) -> None:
    for _ in range(3):
        realm.create_invoice()
    _wait_for(hooked, realm.realm_id, 3)
    assert len(hooked.deliveries) == 1


def test_failed_delivery_is_retried(hooked: WebhookReceiver, realm: RealmHandle) -> None:
    hooked.fail_next = 2
    realm.create_invoice()
    entities = _wait_for(hooked, realm.realm_id, 1)
    assert len(entities) == 1
    assert hooked.failed_attempts == 2
    status = realm.http.get("/_sandbox/webhook").json()
    assert status["attempts"] >= 3 and status["delivered"] >= 1


def test_api_is_not_blocked_by_a_dead_receiver(realm: RealmHandle, http: httpx.Client) -> None:
    http.put(
        "/_sandbox/webhook", json={"url": "http://127.0.0.1:9/unreachable", "verifier_token": "x"}
    )
    try:
        started = time.monotonic()
        for _ in range(3):
            realm.create_invoice()
        assert time.monotonic() - started < 1.0
    finally:
        http.delete("/_sandbox/webhook")


def test_webhook_admin_validation(http: httpx.Client) -> None:
    assert (
        http.put("/_sandbox/webhook", json={"url": "ftp://x", "verifier_token": "t"}).status_code
        == 400
    )
    assert http.put("/_sandbox/webhook", json={"url": "http://x"}).status_code == 400
    assert http.delete("/_sandbox/webhook").json()["enabled"] is False
