"""Reading and changing live topic configs with the admin client, and polling /readyz."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from services.platform.kafka_topics import read_live
from services.platform.topic_specs import LiveTopic


async def live_topics(bootstrap: str, names: list[str]) -> dict[str, LiveTopic]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return await read_live(admin, names)
    finally:
        await admin.close()


async def set_topic_configs(bootstrap: str, configs: Mapping[str, Mapping[str, str]]) -> None:
    """Replaces each named topic's config overrides (AlterConfigs, as `kafka-configs`)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        responses = await admin.alter_configs(
            [
                ConfigResource(ConfigResourceType.TOPIC, name, configs=dict(values))
                for name, values in configs.items()
            ]
        )
        for response in responses:
            for resource in response.to_object()["resources"]:
                assert resource["error_code"] == 0, resource
    finally:
        await admin.close()


async def poll_json(url: str, predicate: Callable[[Any], bool], *, timeout: float = 90.0) -> Any:
    """GETs `url` until its JSON body satisfies `predicate`; fails with the last body."""
    deadline = time.monotonic() + timeout
    body: Any = None
    async with httpx.AsyncClient(timeout=10) as client:
        while True:
            body = (await client.get(url)).json()
            if predicate(body):
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} never matched after {timeout}s; last: {body}")
            await asyncio.sleep(1)
