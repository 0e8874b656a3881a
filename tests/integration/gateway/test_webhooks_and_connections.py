"""QuickBooks connections (encrypted hand-off) and webhooks routed by realm."""

from __future__ import annotations

import json
import random
import time

import httpx
import pytest

from services.contract.connections import QuickBooksConnectionRequested
from services.contract.topics import Topic, tenant_key
from services.contract.webhooks import QuickBooksWebhookReceived
from services.gateway.webhooks.signature import sign
from services.platform.crypto import TokenCipher, parse_keys
from tests.integration.gateway.helpers import ADMIN, mint_token
from tests.support.environment import ENCRYPTION_KEY, WEBHOOK_VERIFIER, log_dir
from tests.support.factories import new_tenant
from tests.support.kafka import Record, TopicReader

pytestmark = pytest.mark.integration

WEBHOOK = "/v1/webhooks/quickbooks"


def _realm() -> str:
    return str(random.randint(10**14, 10**15))


def _legacy(realm: str, invoice_id: str = "130") -> bytes:
    return json.dumps(
        {
            "eventNotifications": [
                {
                    "realmId": realm,
                    "dataChangeEvent": {
                        "entities": [
                            {
                                "name": "Invoice",
                                "id": invoice_id,
                                "operation": "Update",
                                "lastUpdated": "2026-11-20T10:00:00.000Z",
                            }
                        ]
                    },
                }
            ]
        }
    ).encode()


async def _connect(
    client: httpx.AsyncClient, tenant: str, realm: str, token: str
) -> httpx.Response:
    admin = await mint_token(client, tenant, "admin")
    return await client.put(
        f"/v1/tenants/{tenant}/quickbooks-connection",
        json={"realm_id": realm, "refresh_token": token},
        headers={"Authorization": f"Bearer {admin}"},
    )


async def test_connection_hands_over_the_encrypted_refresh_token(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant, realm = new_tenant(), _realm()
    secret = f"RT-{random.getrandbits(64):x}-very-secret"
    async with TopicReader(kafka_bootstrap_servers, Topic.CONNECTIONS) as reader:
        response = await _connect(client, tenant, realm, secret)
        assert response.status_code == 202, response.text
        assert response.json() == {"tenant_id": tenant, "realm_id": realm, "status": "connecting"}
        assert secret not in response.text
        [record] = await reader.wait_for(lambda r: r.json().get("tenant_id") == tenant)
    assert record.key == tenant_key(tenant)
    assert secret.encode() not in record.value
    event = QuickBooksConnectionRequested.model_validate_json(record.value)
    assert event.realm_id == realm
    cipher = TokenCipher(parse_keys(ENCRYPTION_KEY))
    assert cipher.decrypt(event.refresh_token_encrypted.encode()).get_secret_value() == secret
    assert secret not in (log_dir() / "gateway.log").read_text(errors="replace")

    unknown_field = await client.put(
        f"/v1/tenants/{tenant}/quickbooks-connection",
        json={"realm_id": realm, "refresh_token": "x", "access_token": "y"},
        headers=ADMIN,
    )
    assert unknown_field.status_code == 422
    assert "access_token" in unknown_field.text and '"y"' not in unknown_field.text


async def test_signed_webhooks_are_forwarded_and_forged_ones_refused(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant, realm = new_tenant(), _realm()
    assert (await _connect(client, tenant, realm, "rt")).status_code == 202

    def for_realm(r: Record) -> bool:
        return bool(r.json().get("realm_id") == realm)

    async with TopicReader(kafka_bootstrap_servers, Topic.QUICKBOOKS_WEBHOOKS) as reader:
        forged_body = _legacy(realm, "666")
        for headers in (
            {},
            {"intuit-signature": sign("wrong-verifier", forged_body)},
            {"intuit-signature": "not base64 at all"},
        ):
            refused = await client.post(WEBHOOK, content=forged_body, headers=headers)
            assert refused.status_code == 401, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
        # A valid signature over a different body does not carry over.
        tampered = await client.post(
            WEBHOOK,
            content=_legacy(realm, "667"),
            headers={"intuit-signature": sign(WEBHOOK_VERIFIER, forged_body)},
        )
        assert tampered.status_code == 401

        body = _legacy(realm)
        started = time.monotonic()
        accepted = await client.post(
            WEBHOOK, content=body, headers={"intuit-signature": sign(WEBHOOK_VERIFIER, body)}
        )
        assert time.monotonic() - started < 1.0
        assert accepted.status_code == 200, accepted.text
        assert accepted.json() == {"forwarded": 1, "dead_lettered": 0}

        cloud = json.dumps(
            [
                {
                    "specversion": "1.0",
                    "id": "evt-1",
                    "source": "intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",
                    "type": "qbo.invoice.deleted.v1",
                    "datacontenttype": "application/json",
                    "time": "2026-11-20T10:05:00Z",
                    "intuitentityid": "131",
                    "intuitaccountid": realm,
                    "data": {},
                }
            ]
        ).encode()
        cloud_response = await client.post(
            WEBHOOK, content=cloud, headers={"intuit-signature": sign(WEBHOOK_VERIFIER, cloud)}
        )
        assert cloud_response.status_code == 200 and cloud_response.json()["forwarded"] == 1

        records = await reader.wait_for(for_realm, count=2)
        await reader.settle(2)
        records = [r for r in reader.records if for_realm(r)]
    assert len(records) == 2
    events = [QuickBooksWebhookReceived.model_validate_json(r.value) for r in records]
    assert all(
        r.key == tenant_key(tenant) and e.tenant_id == tenant
        for r, e in zip(records, events, strict=True)
    )
    entities = sorted(
        (e.entities[0].id, e.entities[0].name, e.entities[0].operation) for e in events
    )
    assert entities == [("130", "Invoice", "Update"), ("131", "Invoice", "Delete")]


async def test_webhook_for_an_unconnected_realm_is_dead_lettered(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    realm = _realm()
    body = _legacy(realm)
    async with TopicReader(kafka_bootstrap_servers, Topic.DEAD_LETTERS) as dead:
        response = await client.post(
            WEBHOOK, content=body, headers={"intuit-signature": sign(WEBHOOK_VERIFIER, body)}
        )
        assert response.status_code == 200
        assert response.json() == {"forwarded": 0, "dead_lettered": 1}
        [record] = await dead.wait_for(lambda r: r.key == realm.encode())
    assert record.headers["dlq.error.class"] == "UnknownRealm"
    assert record.headers["dlq.source.topic"] == "http:/v1/webhooks/quickbooks"
    assert realm in record.headers["dlq.error.message"]
    assert json.loads(record.value)["realmId"] == realm
