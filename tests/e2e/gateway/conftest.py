"""Two real gateway replicas sharing one consumer group (their own, for isolation)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from selenium import webdriver

from deploy.local.services import ServiceProcess, start_gateway
from tests.e2e.gateway.page import headless_chromium
from tests.support.environment import log_dir


@pytest.fixture(scope="package")
def gateway_env(service_env: dict[str, str]) -> dict[str, str]:
    return {
        **service_env,
        "GATEWAY_GROUP_ID": f"gateway-e2e-{uuid.uuid4().hex[:8]}",
        "GATEWAY_SSE_KEEPALIVE_SECONDS": "5",
    }


@pytest.fixture(scope="package")
def gateways(gateway_env: dict[str, str]) -> Iterator[list[ServiceProcess]]:
    """[gateway-1, gateway-2]; a test that restarts one replaces its entry."""
    replicas = [start_gateway(log_dir(), gateway_env, name="gateway-1")]
    try:
        replicas.append(start_gateway(log_dir(), gateway_env, name="gateway-2"))
        yield replicas
    finally:
        for replica in replicas:
            replica.stop()


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    with headless_chromium() as driver:
        yield driver
