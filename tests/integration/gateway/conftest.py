from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.integration.gateway.helpers import gateway_client


@pytest.fixture
async def client(running_gateway: object) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(running_gateway.url) as c:  # type: ignore[attr-defined]
        yield c
