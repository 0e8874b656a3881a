"""Webhook path in isolation: CDC sweeps are slowed down so only webhooks can report."""

from __future__ import annotations

import pytest

from tests.support.environment import base_service_env
from tests.support.services import gateway_fixture, worker_fixture


@pytest.fixture(scope="package")
def service_env(
    kafka_bootstrap_servers: str, database_url: str, qbo_sandbox_url: str
) -> dict[str, str]:
    return {
        **base_service_env(kafka_bootstrap_servers, database_url, qbo_sandbox_url),
        "CDC_INTERVAL_SECONDS": "600",
    }


running_worker = worker_fixture()
running_gateway = gateway_fixture()
