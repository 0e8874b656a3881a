"""Webhook payload and signature; configuration from flags and environment."""

from __future__ import annotations

import base64
import hashlib
import hmac

from services.quickbooks_sandbox.config import SandboxConfig, parse_args
from services.quickbooks_sandbox.domain.events import ChangeEvent
from services.quickbooks_sandbox.webhooks import WebhookDispatcher, build_payload, sign


def test_signature_is_base64_hmac_sha256() -> None:
    body = b'{"eventNotifications":[]}'
    expected = base64.b64encode(hmac.new(b"verifier", body, hashlib.sha256).digest()).decode()
    assert sign("verifier", body) == expected


def test_payload_groups_entities_per_realm() -> None:
    events = [
        ChangeEvent("1", "Invoice", "10", "Create", "2026-01-01T00:00:00-07:00"),
        ChangeEvent("2", "Customer", "5", "Update", "2026-01-01T00:00:01-07:00"),
        ChangeEvent("1", "Invoice", "10", "Void", "2026-01-01T00:00:02-07:00"),
    ]
    payload = build_payload(events)
    first, second = payload["eventNotifications"]
    assert first["realmId"] == "1"
    assert [e["operation"] for e in first["dataChangeEvent"]["entities"]] == ["Create", "Void"]
    assert second["dataChangeEvent"]["entities"] == [
        {
            "name": "Customer",
            "id": "5",
            "operation": "Update",
            "lastUpdated": "2026-01-01T00:00:01-07:00",
        }
    ]


def test_events_are_dropped_when_no_webhook_is_configured() -> None:
    dispatcher = WebhookDispatcher()
    dispatcher.enqueue(ChangeEvent("1", "Invoice", "1", "Create", "t"))
    assert dispatcher.describe()["pending"] == 0
    assert dispatcher.stats.dropped_events == 1


def test_config_from_env_and_flags() -> None:
    env = {
        "QBO_SANDBOX_PORT": "9000",
        "QBO_SANDBOX_WEBHOOK_URL": "http://hook",
        "QBO_SANDBOX_WEBHOOK_VERIFIER": "v",
        "QBO_SANDBOX_WEBHOOK_RETRY_DELAYS": "0.1,0.2",
    }
    from_env = SandboxConfig.from_env(env)
    assert (from_env.port, from_env.webhook_url, from_env.webhook_verifier) == (
        9000,
        "http://hook",
        "v",
    )
    assert from_env.webhook_retry_delays == (0.1, 0.2)
    flags = parse_args(["--port", "8765", "--webhook-verifier", "other"], env)
    assert (flags.port, flags.webhook_url, flags.webhook_verifier) == (8765, "http://hook", "other")
