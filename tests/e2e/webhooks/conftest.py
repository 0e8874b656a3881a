"""Webhook path in isolation: CDC sweeps are slowed down so only webhooks can report."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="package")
def service_env(
    kafka_bootstrap_servers: str, database_url: str, qbo_sandbox_url: str
) -> dict[str, str]:
    from tests.conftest import base_service_env

    return {
        **base_service_env(kafka_bootstrap_servers, database_url, qbo_sandbox_url),
        "CDC_INTERVAL_SECONDS": "600",
    }
