"""A topic config changed behind the services' back shows on /readyz and /metrics, and
`--fix-topics` puts it back."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from deploy.local.services import ServiceProcess
from services.contract.topics import Topic
from services.platform.topic_specs import DAY_MS, SPEC_BY_NAME
from tests.integration.kafka_topics.helpers import live_topics, poll_json, set_topic_configs

pytestmark = pytest.mark.integration

TOPIC = Topic.RESULTS.value
DRIFTED_RETENTION = str(3 * DAY_MS)


def _drift_of(body: dict[str, object]) -> list[dict[str, str]]:
    topics = body["details"]["topics"]  # type: ignore[index]
    return [d for d in topics["drift"] if d["topic"] == TOPIC]  # type: ignore[index]


async def test_changed_retention_is_reported_then_fixed(
    running_worker: ServiceProcess,
    running_gateway: ServiceProcess,
    kafka_bootstrap_servers: str,
    service_env: dict[str, str],
) -> None:
    spec_configs = SPEC_BY_NAME[TOPIC].configs(replication_factor=1)
    await set_topic_configs(
        kafka_bootstrap_servers, {TOPIC: {**spec_configs, "retention.ms": DRIFTED_RETENTION}}
    )
    try:
        for service in (running_worker, running_gateway):
            body = await poll_json(f"{service.url}/readyz", lambda b: bool(_drift_of(b)))
            assert body["ready"] is True  # drift is reported, never a reason to stop serving
            assert body["details"]["topics"]["status"] == "drift"
            assert _drift_of(body) == [
                {
                    "topic": TOPIC,
                    "setting": "retention.ms",
                    "expected": spec_configs["retention.ms"],
                    "actual": DRIFTED_RETENTION,
                }
            ]
        metrics = httpx.get(f"{running_worker.url}/metrics", timeout=10).text
        assert f'sync_topic_config_drift{{topic="{TOPIC}"}} 1.0' in metrics

        fixed = subprocess.run(
            [sys.executable, "-m", "services.platform.kafka_topics", "--fix-topics"],
            env={**os.environ, **service_env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        live = await live_topics(kafka_bootstrap_servers, [TOPIC])
        assert live[TOPIC].configs["retention.ms"] == spec_configs["retention.ms"]
        body = await poll_json(f"{running_worker.url}/readyz", lambda b: not _drift_of(b))
        assert body["details"]["topics"]["status"] == "ok"
    finally:
        await set_topic_configs(kafka_bootstrap_servers, {TOPIC: spec_configs})
