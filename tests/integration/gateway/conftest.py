from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.integration.gateway.helpers import gateway_client
from tests.support.services import gateway_fixture


@pytest.fixture
async def client(running_gateway: object) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(running_gateway.url) as c:  # type: ignore[attr-defined]
        yield c


running_gateway = gateway_fixture()
