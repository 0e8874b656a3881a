"""Session-wide real services. Started once, lazily: unit tests start nothing."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.support.environment import (
    ARTIFACTS,
    QBO_CLIENT_ID,
    QBO_CLIENT_SECRET,
    base_service_env,
    log_dir,
)
from tests.support.infrastructure import Service
from tests.support.infrastructure import database_url as _database_url
from tests.support.infrastructure import kafka_bootstrap as _kafka_bootstrap
from tests.support.sandbox import SandboxAdmin


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


@pytest.fixture
async def sandbox(qbo_sandbox_url: str) -> AsyncIterator[SandboxAdmin]:
    admin = SandboxAdmin(qbo_sandbox_url)
    yield admin
    await admin.aclose()


@contextlib.asynccontextmanager
async def _migrated_pool(
    database_url: str, schema: str, service: str, max_size: int
) -> AsyncIterator[asyncpg.Pool]:
    from services.platform.postgres import apply_migrations, create_pool

    await apply_migrations(database_url, schema, f"services.{service}.migrations")
    pool = await create_pool(database_url, schema, max_size=max_size)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture(scope="session")
async def worker_pg_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with _migrated_pool(database_url, "sync_worker", "sync_worker", max_size=10) as pool:
        yield pool


@pytest.fixture
async def gateway_pg_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the gateway's schema (migrated), for tests of its SQL without the app."""
    async with _migrated_pool(database_url, "gateway", "gateway", max_size=6) as pool:
        yield pool


@pytest.fixture(scope="session")
def service_env(
    kafka_bootstrap_servers: str, database_url: str, qbo_sandbox_url: str
) -> dict[str, str]:
    return base_service_env(kafka_bootstrap_servers, database_url, qbo_sandbox_url)


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
