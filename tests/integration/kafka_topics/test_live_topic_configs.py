"""Every contract topic on the real broker has exactly the configuration of its spec."""

from __future__ import annotations

import pytest

from deploy.local.services import ServiceProcess
from services.contract.topics import Topic
from services.platform.topic_specs import (
    DAY_MS,
    LONGEST_PLANNED_OUTAGE_MS,
    MAX_MESSAGE_BYTES,
    TOPIC_SPECS,
)
from tests.integration.kafka_topics.helpers import live_topics

pytestmark = pytest.mark.integration

STATE_TOPICS = {Topic.SETTINGS.value, Topic.CONNECTIONS.value, Topic.CONNECTION_STATUS.value}


async def test_every_topic_the_services_created_matches_its_spec(
    running_worker: ServiceProcess, kafka_bootstrap_servers: str, service_env: dict[str, str]
) -> None:
    live = await live_topics(kafka_bootstrap_servers, [t.value for t in Topic])

    assert sorted(live) == sorted(t.value for t in Topic)
    for spec in TOPIC_SPECS:
        topic = live[spec.topic.value]
        assert topic.partitions == int(service_env["TOPIC_PARTITIONS"]), topic
        assert topic.replication_factor == 1, topic  # local dev: one broker
        expected = spec.configs(replication_factor=1)
        assert {k: topic.configs[k] for k in expected} == expected, spec.topic


async def test_live_configs_keep_what_production_needs(
    running_worker: ServiceProcess, kafka_bootstrap_servers: str
) -> None:
    live = await live_topics(kafka_bootstrap_servers, [t.value for t in Topic])

    for name, topic in live.items():
        configs = topic.configs
        assert int(configs["max.message.bytes"]) >= MAX_MESSAGE_BYTES, name
        if name in STATE_TOPICS:
            assert configs["cleanup.policy"] == "compact", name
            assert int(configs["min.compaction.lag.ms"]) > LONGEST_PLANNED_OUTAGE_MS, name
        elif name == Topic.DEAD_LETTERS.value:
            assert configs["cleanup.policy"] == "delete"
            assert int(configs["retention.ms"]) >= 30 * DAY_MS
        else:
            assert configs["cleanup.policy"] == "delete", name
            assert int(configs["retention.ms"]) > LONGEST_PLANNED_OUTAGE_MS, name
