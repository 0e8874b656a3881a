"""The test session's credentials, log folder and the environment of the services it starts.

The secrets are made once per test session, when this module is first imported."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# A leading letter: a secret starting with `-` would read as an option on a command line.
ADMIN_TOKEN = "t" + secrets.token_urlsafe(24)
QBO_CLIENT_ID = "mediaos-sync-tests"
QBO_CLIENT_SECRET = "s" + secrets.token_urlsafe(24)
ENCRYPTION_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
WEBHOOK_VERIFIER = "v" + secrets.token_urlsafe(16)


def log_dir() -> Path:
    path = ARTIFACTS / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def base_service_env(
    kafka_bootstrap_servers: str, database_url: str, qbo_sandbox_url: str
) -> dict[str, str]:
    """Environment for worker/gateway processes started by tests (one shared DB and group)."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers,
        "DATABASE_URL": database_url,
        "QBO_SANDBOX_URL": qbo_sandbox_url,
        "QBO_API_BASE_URL": qbo_sandbox_url,
        "QBO_TOKEN_URL": f"{qbo_sandbox_url}/oauth2/v1/tokens/bearer",
        "QBO_CLIENT_ID": QBO_CLIENT_ID,
        "QBO_CLIENT_SECRET": QBO_CLIENT_SECRET,
        # Short timings so recovery paths run within a test's patience.
        "QBO_REQUEST_TIMEOUT_SECONDS": "3",
        "QBO_RETRY_TOTAL_SECONDS": "20",
        "QBO_THROTTLE_BACKOFF_SECONDS": "1",
        "LEASE_SECONDS": "6",
        "RETRY_BASE_SECONDS": "0.5",
        "UNKNOWN_INVOICE_GRACE_SECONDS": "3",
        "CDC_INTERVAL_SECONDS": "3",
        "SHUTDOWN_GRACE_SECONDS": "5",
        "GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN,
        "TOKEN_ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "QBO_WEBHOOK_VERIFIER_TOKEN": WEBHOOK_VERIFIER,
        "TOPIC_PARTITIONS": "6",
        "LOG_LEVEL": "INFO",
    }
