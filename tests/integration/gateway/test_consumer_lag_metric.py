"""The gateway exports its consumer group's lag per partition at /metrics."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from services.contract.topics import Topic
from tests.integration.gateway.helpers import push
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration

LAG = re.compile(
    r'^gateway_consumer_lag\{partition="(\d+)",topic="([^"]+)"\} ([0-9.e+]+)$', re.MULTILINE
)


async def test_consumer_lag_is_exported_per_topic_and_partition(
    client: httpx.AsyncClient, running_gateway: object
) -> None:
    # The gateway consumes its own push requests, so after one it has committed an offset.
    assert (await push(client, new_tenant(), ["m-1"])).status_code == 202
    deadline = time.monotonic() + 60
    while True:
        samples = LAG.findall((await client.get("/metrics")).text)
        topics = {topic for _, topic, _ in samples}
        if Topic.PUSH_REQUESTS.value in topics:
            break
        assert time.monotonic() < deadline, samples
        await asyncio.sleep(1.0)
    assert all(float(value) >= 0 for _, _, value in samples)
    assert topics <= {t.value for t in Topic}
