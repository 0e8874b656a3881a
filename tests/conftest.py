"""Session-wide real services. Started once, lazily: unit tests start nothing."""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.support.infrastructure import Service
from tests.support.infrastructure import database_url as _database_url
from tests.support.infrastructure import kafka_bootstrap as _kafka_bootstrap

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="session")
def kafka_service() -> Iterator[Service]:
    with _kafka_bootstrap() as service:
        yield service


@pytest.fixture(scope="session")
def kafka_bootstrap_servers(kafka_service: Service) -> str:
    return kafka_service.url


@pytest.fixture(scope="session")
def postgres_service() -> Iterator[Service]:
    with _database_url() as service:
        yield service


@pytest.fixture(scope="session")
def database_url(postgres_service: Service) -> str:
    return postgres_service.url


@pytest.fixture(scope="session")
def qbo_sandbox_url() -> Iterator[str]:
    given = os.environ.get("QBO_SANDBOX_URL")
    if given:
        yield given
        return
    from deploy.local.services import start_sandbox

    sandbox = start_sandbox(log_dir(), client_id=QBO_CLIENT_ID, client_secret=QBO_CLIENT_SECRET)
    try:
        yield sandbox.url or ""
    finally:
        sandbox.stop()


@pytest.fixture(scope="session")
async def worker_pg_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    from services.platform.postgres import apply_migrations, create_pool

    await apply_migrations(database_url, "sync_worker", "services.sync_worker.migrations")
    pool = await create_pool(database_url, "sync_worker", max_size=10)
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
def service_env(
    kafka_bootstrap_servers: str, database_url: str, qbo_sandbox_url: str
) -> dict[str, str]:
    return base_service_env(kafka_bootstrap_servers, database_url, qbo_sandbox_url)


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


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def tmp_session_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="sync-tests-") as d:
        yield Path(d)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.faults.report import ROWS, render

    if ROWS:
        terminalreporter.section("fault scenarios")
        terminalreporter.write_line(render())
