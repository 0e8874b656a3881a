"""Creates the contract's topics with their specs and reports live configs that drift.

Idempotent and safe across replicas. `python -m services.platform.kafka_topics` prints the
drift of a running cluster (`KAFKA_BOOTSTRAP_SERVERS`, `TOPIC_*` settings); with
`--fix-topics` it also aligns each drifted topic's configs with its spec.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError
from prometheus_client import Gauge

from services.contract.topics import Topic
from services.platform.topic_specs import (
    CHECKED_CONFIGS,
    SPEC_BY_NAME,
    TOPIC_SPECS,
    Drift,
    LiveTopic,
    TopicConfigSpec,
    drifts,
)

log = structlog.get_logger(__name__)

TOPIC_CONFIG_DRIFT = Gauge(
    "sync_topic_config_drift",
    "Settings of a contract topic that differ from its spec (0 = as specified).",
    ["topic"],
)
RECHECK_SECONDS = 15.0
CHECK_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class TopicReport:
    drifts: list[Drift] = field(default_factory=list)
    error: str | None = None
    checked_at: float = field(default_factory=time.time)

    def as_details(self) -> dict[str, Any]:
        status = "failed" if self.error else ("drift" if self.drifts else "ok")
        out: dict[str, Any] = {"status": status, "drift": [d.as_dict() for d in self.drifts]}
        if self.error:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class TopicLayout:
    """Where and how the topics should be: bootstrap servers plus deployment settings."""

    bootstrap_servers: str
    specs: tuple[TopicConfigSpec, ...]
    partitions: int
    replication_factor: int


async def read_live(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, LiveTopic]:
    """Partitions, replication factor and the checked configs of each existing topic."""
    existing = set(await admin.list_topics())
    names = [n for n in names if n in existing]
    if not names:
        return {}
    metadata = {t["topic"]: t for t in await admin.describe_topics(names)}
    resources = [
        ConfigResource(ConfigResourceType.TOPIC, n, configs=dict.fromkeys(CHECKED_CONFIGS))
        for n in names
    ]
    configs: dict[str, dict[str, str]] = {}
    for response in await admin.describe_configs(resources):
        for resource in response.to_object()["resources"]:
            configs[resource["resource_name"]] = {
                e["config_names"]: e["config_value"] for e in resource["config_entries"]
            }
    out = {}
    for name in names:
        partitions = metadata[name]["partitions"]
        out[name] = LiveTopic(
            name,
            len(partitions),
            len(partitions[0]["replicas"]) if partitions else 0,
            configs.get(name, {}),
        )
    return out


async def _create_missing(admin: AIOKafkaAdminClient, layout: TopicLayout) -> list[str]:
    existing = set(await admin.list_topics())
    missing = [s for s in layout.specs if s.topic.value not in existing]
    if not missing:
        return []
    # Another replica may create them between list and create.
    with contextlib.suppress(TopicAlreadyExistsError):
        await admin.create_topics(
            [
                NewTopic(
                    s.topic.value,
                    layout.partitions,
                    layout.replication_factor,
                    topic_configs=s.configs(layout.replication_factor),
                )
                for s in missing
            ]
        )
    names = [s.topic.value for s in missing]
    log.info("topics_created", topics=names, partitions=layout.partitions)
    return names


async def align_configs(
    admin: AIOKafkaAdminClient, layout: TopicLayout, found: list[Drift]
) -> None:
    """Sets each drifted topic's configs to its spec. Partitions and replication factor
    are left to an operator (more partitions re-map keys; replicas need reassignment)."""
    drifted = {d.topic for d in found if d.setting in CHECKED_CONFIGS}
    if not drifted:
        return
    await admin.alter_configs(
        [
            ConfigResource(
                ConfigResourceType.TOPIC,
                name,
                configs=dict(SPEC_BY_NAME[name].configs(layout.replication_factor)),
            )
            for name in sorted(drifted)
        ]
    )
    log.warning("topic_configs_aligned", topics=sorted(drifted))


async def check(layout: TopicLayout, *, create: bool = False, fix: bool = False) -> TopicReport:
    """Reads the live topics and compares them with their specs (creating missing ones
    first when `create`, aligning drifted configs when `fix`); logs and counts drift."""
    admin = AIOKafkaAdminClient(bootstrap_servers=layout.bootstrap_servers)
    await admin.start()
    try:
        if create:
            await _create_missing(admin, layout)
        names = [s.topic.value for s in layout.specs]
        found = _compare(layout, await read_live(admin, names))
        if fix and found:
            await align_configs(admin, layout, found)
            found = _compare(layout, await read_live(admin, names))
    finally:
        await admin.close()
    _record(layout, found)
    return TopicReport(found)


def _compare(layout: TopicLayout, live: dict[str, LiveTopic]) -> list[Drift]:
    return drifts(
        layout.specs,
        live,
        partitions=layout.partitions,
        replication_factor=layout.replication_factor,
    )


def _record(layout: TopicLayout, found: list[Drift]) -> None:
    for spec in layout.specs:
        TOPIC_CONFIG_DRIFT.labels(spec.topic.value).set(
            sum(d.topic == spec.topic.value for d in found)
        )


def log_drift(found: Iterable[Drift]) -> None:
    for d in found:
        log.warning(
            "topic_config_drift",
            topic=d.topic,
            setting=d.setting,
            expected=d.expected,
            actual=d.actual,
        )


class TopicMonitor:
    """The newest drift report, re-read from the broker at most every RECHECK_SECONDS."""

    def __init__(self, layout: TopicLayout, last: TopicReport | None = None) -> None:
        self.layout = layout
        self.last = last
        self._lock = asyncio.Lock()

    async def report(self) -> TopicReport:
        async with self._lock:
            if self.last is None or time.time() - self.last.checked_at >= RECHECK_SECONDS:
                try:
                    async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                        report = await check(self.layout)
                    log_drift(set(report.drifts) - set(self.last.drifts if self.last else ()))
                    self.last = report
                except Exception as exc:  # reported, never fatal: drift is not unreadiness
                    self.last = TopicReport(self.last.drifts if self.last else [], repr(exc))
            return self.last


_monitor: TopicMonitor | None = None


async def readiness_details() -> dict[str, Any]:
    """What `/readyz` shows under `details.topics` (never affects readiness itself)."""
    if _monitor is None:
        return {"status": "not_checked", "drift": []}
    return (await _monitor.report()).as_details()


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[Topic | str] = tuple(Topic),
    *,
    partitions: int,
    replication_factor: int = 1,
    fix: bool = False,
) -> TopicReport:
    """Creates missing topics with their specs, then checks every topic for drift; the
    result is kept for `/readyz` and re-checked there."""
    global _monitor
    layout = TopicLayout(
        bootstrap_servers,
        tuple(SPEC_BY_NAME[str(t)] for t in topics),
        partitions,
        replication_factor,
    )
    report = await check(layout, create=True, fix=fix)
    log_drift(report.drifts)
    _monitor = TopicMonitor(layout, report)
    return report


def main(argv: list[str] | None = None) -> int:
    from services.platform.settings import CommonSettings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fix-topics", action="store_true", help="align drifted configs")
    parser.add_argument("--create", action="store_true", help="create missing topics")
    args = parser.parse_args(argv)
    settings = CommonSettings()
    layout = TopicLayout(
        settings.kafka_bootstrap_servers,
        TOPIC_SPECS,
        settings.topic_partitions,
        settings.topic_replication_factor,
    )
    report = asyncio.run(check(layout, create=args.create, fix=args.fix_topics))
    for d in report.drifts:
        print(f"{d.topic}: {d.setting} is {d.actual}, spec says {d.expected}")
    if not report.drifts:
        print(f"{len(layout.specs)} topics match their specs")
    return 1 if report.drifts else 0


if __name__ == "__main__":
    sys.exit(main())
