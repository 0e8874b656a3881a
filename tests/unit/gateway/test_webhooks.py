"""Webhook signatures, payload forms and routing (pure)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from services.contract.topics import Topic
from services.contract.webhooks import QuickBooksWebhookReceived
from services.gateway.webhooks.payload import PayloadError, parse_notifications
from services.gateway.webhooks.routing import WEBHOOK_SOURCE, route_notifications
from services.gateway.webhooks.signature import sign, verify_signature

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
LEGACY = {
    "eventNotifications": [
        {
            "realmId": "111",
            "dataChangeEvent": {
                "entities": [
                    {
                        "name": "Invoice",
                        "id": "5",
                        "operation": "Update",
                        "lastUpdated": "2026-11-20T09:00:00Z",
                    },
                    {"name": "Customer", "id": "9", "operation": "Create"},
                ]
            },
        },
        {
            "realmId": "222",
            "dataChangeEvent": {
                "entities": [{"name": "Invoice", "id": "6", "operation": "Delete"}]
            },
        },
    ]
}


def test_signature_is_base64_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"eventNotifications":[]}'
    expected = base64.b64encode(hmac.new(b"verifier", body, hashlib.sha256).digest()).decode()
    assert sign("verifier", body) == expected
    assert verify_signature("verifier", body, expected)
    assert verify_signature("verifier", body, f" {expected} ")
    assert not verify_signature("verifier", body + b" ", expected)
    assert not verify_signature("other", body, expected)
    assert not verify_signature("verifier", body, None)
    assert not verify_signature("verifier", body, "")
    assert not verify_signature("", body, sign("", body))


def test_legacy_payload_is_parsed_per_realm() -> None:
    notes = parse_notifications(json.dumps(LEGACY).encode())
    assert [n.realm_id for n in notes] == ["111", "222"]
    assert [(e.name, e.id, e.operation) for e in notes[0].entities] == [
        ("Invoice", "5", "Update"),
        ("Customer", "9", "Create"),
    ]
    assert notes[0].entities[0].last_updated == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert json.loads(notes[1].raw)["realmId"] == "222" and notes[1].error is None


def test_cloud_events_are_grouped_by_account() -> None:
    body = json.dumps(
        [
            {
                "specversion": "1.0",
                "id": "1",
                "type": "qbo.invoice.updated.v1",
                "intuitentityid": "5",
                "intuitaccountid": "111",
                "time": "2026-11-20T09:00:00Z",
                "data": {},
            },
            {
                "specversion": "1.0",
                "id": "2",
                "type": "qbo.creditmemo.voided.v1",
                "intuitentityid": "7",
                "intuitaccountid": "111",
                "time": "2026-11-20T09:01:00Z",
            },
            {
                "specversion": "1.0",
                "id": "3",
                "type": "qbo.invoice.created.v1",
                "intuitentityid": "8",
            },
        ]
    ).encode()
    good, invalid = parse_notifications(body)
    assert good.realm_id == "111"
    assert [(e.name, e.id, e.operation) for e in good.entities] == [
        ("Invoice", "5", "Update"),
        ("CreditMemo", "7", "Void"),
    ]
    assert invalid.error == "missing intuitaccountid"


@pytest.mark.parametrize("body", [b"not json", b'{"other": 1}', b"42", b"\xff\xfe"])
def test_bodies_that_are_no_notification_are_refused(body: bytes) -> None:
    with pytest.raises(PayloadError):
        parse_notifications(body)


def test_broken_items_are_kept_for_dead_lettering() -> None:
    notes = parse_notifications(
        json.dumps(
            {
                "eventNotifications": [
                    {"realmId": "1"},
                    "x",
                    {"realmId": "2", "dataChangeEvent": {"entities": [{"id": "1"}]}},
                ]
            }
        ).encode()
    )
    assert [n.error is not None for n in notes] == [True, True, True]


def test_routing_forwards_per_tenant_and_dead_letters_unknown_realms() -> None:
    notes = parse_notifications(json.dumps(LEGACY).encode())
    routed = route_notifications(notes, {"111": ["t1", "t2"]}, failed_by="gateway:x", now=NOW)
    assert (routed.forwarded, routed.dead_lettered) == (2, 1)
    forwarded = [m for m in routed.messages if m.topic == Topic.QUICKBOOKS_WEBHOOKS.value]
    assert [m.key for m in forwarded] == [b"t1", b"t2"]
    event = QuickBooksWebhookReceived.model_validate_json(forwarded[0].value)
    assert event.realm_id == "111" and len(event.entities) == 2
    [dead] = [m for m in routed.messages if m.topic == Topic.DEAD_LETTERS.value]
    headers = dict(dead.headers)
    assert dead.key == b"222" and json.loads(dead.value)["realmId"] == "222"
    assert headers["dlq.error.class"] == "UnknownRealm"
    assert headers["dlq.source.topic"] == WEBHOOK_SOURCE
    assert headers["dlq.failed.by"] == "gateway:x"

    again = route_notifications(notes, {"111": ["t1"]}, failed_by="gateway:y", now=NOW)
    first_id = QuickBooksWebhookReceived.model_validate_json(again.messages[0].value).event_id
    assert first_id == event.event_id  # Intuit's retry of the same body dedupes downstream
