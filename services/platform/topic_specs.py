"""The configuration every contract topic must have, with the reason for each value.

Pure data and comparison (no I/O): `kafka_topics` creates topics from these specs and
reports live configs that drift from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from services.contract.limits import DEAD_LETTER_MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES, MiB
from services.contract.topics import Topic

__all__ = ["DEAD_LETTER_MAX_MESSAGE_BYTES", "MAX_MESSAGE_BYTES", "MiB"]
DAY_MS = 24 * 60 * 60 * 1000

LONGEST_PLANNED_OUTAGE_MS = 7 * DAY_MS
"""The longest time consumers may be stopped (a lost region, a week-long freeze) without
losing events they have not read yet."""

HISTORY_RETENTION_MS = 2 * LONGEST_PLANNED_OUTAGE_MS
"""Twice the planned outage: the outage itself, then as long again to notice, decide and
replay. Consumers keep their own state in PostgreSQL, so nothing older is ever re-read."""

DEAD_LETTER_RETENTION_MS = 30 * DAY_MS
"""Read, fix, republish needs a human: a month covers holidays and a slow investigation."""

INFINITE = -1

HISTORY = "delete"
STATE = "compact"

CHECKED_CONFIGS = (
    "cleanup.policy",
    "retention.ms",
    "min.compaction.lag.ms",
    "min.insync.replicas",
    "max.message.bytes",
)


@dataclass(frozen=True, slots=True)
class TopicConfigSpec:
    """One topic's desired layout; `reasons` explains each value to operators."""

    topic: Topic
    cleanup_policy: str
    retention_ms: int
    max_message_bytes: int
    reasons: Mapping[str, str]
    min_compaction_lag_ms: int = 0

    def configs(self, replication_factor: int) -> dict[str, str]:
        """The topic-level configs (`kafka-configs --describe` names) for this deployment."""
        return {
            "cleanup.policy": self.cleanup_policy,
            "retention.ms": str(self.retention_ms),
            "min.compaction.lag.ms": str(self.min_compaction_lag_ms),
            "min.insync.replicas": str(min_insync_replicas(replication_factor)),
            "max.message.bytes": str(self.max_message_bytes),
        }


def min_insync_replicas(replication_factor: int) -> int:
    """2 of 3 replicas (production): `acks=all` survives one broker loss without ever
    acknowledging on a single copy. Below 3 replicas, 1: requiring every replica would
    block all writes while one broker restarts (local dev runs 1/1)."""
    return 2 if replication_factor >= 3 else 1


_PARTITIONS = "TOPIC_PARTITIONS: the ceiling of useful consumer replicas; keyed order kept."
_ISR = "2 of 3 replicas (RF 3) so acks=all never rests on one copy; 1 with fewer replicas."
_MAX = f"{MAX_MESSAGE_BYTES} bytes: the contract's largest event with room to spare."
_HISTORY = "History: kept twice the longest planned outage, then deleted."
_STATE = (
    "State keyed by tenant: compacted, the newest record per tenant is kept forever; "
    "nothing younger than the history retention is compacted away (min.compaction.lag.ms), "
    "so a stopped consumer still sees every change it missed."
)


def _reasons(
    cleanup: str, retention: str, *, compaction_lag: str | None = None, max_bytes: str = _MAX
) -> dict[str, str]:
    """Why each checked config (and the partition count) of one topic has its value."""
    reasons = {"partitions": _PARTITIONS, "cleanup.policy": cleanup, "retention.ms": retention}
    if compaction_lag is not None:
        reasons["min.compaction.lag.ms"] = compaction_lag
    return reasons | {"min.insync.replicas": _ISR, "max.message.bytes": max_bytes}


def _history(topic: Topic, why: str) -> TopicConfigSpec:
    reasons = _reasons(f"delete: {why}", _HISTORY)
    return TopicConfigSpec(topic, HISTORY, HISTORY_RETENTION_MS, MAX_MESSAGE_BYTES, reasons)


def _state(topic: Topic, why: str) -> TopicConfigSpec:
    retention = "-1: compaction, not time, decides what goes. " + _STATE
    return TopicConfigSpec(
        topic,
        STATE,
        INFINITE,
        MAX_MESSAGE_BYTES,
        _reasons(f"compact: {why}", retention, compaction_lag=_STATE),
        min_compaction_lag_ms=HISTORY_RETENTION_MS,
    )


TOPIC_SPECS: tuple[TopicConfigSpec, ...] = (
    _history(Topic.INVOICES, "each event is a whole snapshot; PostgreSQL keeps the newest."),
    _state(Topic.SETTINGS, "a tenant's settings must outlive any outage of the worker."),
    _history(Topic.PUSH_REQUESTS, "a push is a one-off request, tracked in PostgreSQL."),
    _history(Topic.RESULTS, "outcomes are recorded by the gateway and MediaOS core."),
    _history(Topic.QUICKBOOKS_INVOICE_CHANGES, "MediaOS core applies each change once."),
    _history(Topic.QUICKBOOKS_WEBHOOKS, "notifications; the CDC sweep catches any missed."),
    _state(Topic.CONNECTIONS, "the newest connection request per tenant is its state."),
    _state(Topic.CONNECTION_STATUS, "the newest status report per tenant is its state."),
    _history(Topic.RECONCILIATION_REQUESTS, "a run is a one-off request, tracked in PostgreSQL."),
    _history(Topic.RECONCILIATIONS, "the gateway records each run's findings in PostgreSQL."),
    TopicConfigSpec(
        Topic.DEAD_LETTERS,
        HISTORY,
        DEAD_LETTER_RETENTION_MS,
        DEAD_LETTER_MAX_MESSAGE_BYTES,
        _reasons(
            "delete: each dead letter is handled once, then obsolete.",
            "30 days: read, fix and republish is done by a person.",
            max_bytes="2 MiB: a refused message of up to 1 MiB plus its headers.",
        ),
    ),
)

SPEC_BY_NAME: dict[str, TopicConfigSpec] = {spec.topic.value: spec for spec in TOPIC_SPECS}


@dataclass(frozen=True, slots=True)
class Drift:
    """One difference between a live topic and its spec."""

    topic: str
    setting: str
    expected: str
    actual: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class LiveTopic:
    """What the broker says about one topic (configs as `describe_configs` returns them)."""

    name: str
    partitions: int
    replication_factor: int
    configs: Mapping[str, str]


def _normalised(setting: str, value: str) -> str:
    if setting == "cleanup.policy":
        return ",".join(sorted(p.strip() for p in value.split(",")))
    return value


def drift_of(
    spec: TopicConfigSpec, live: LiveTopic | None, *, partitions: int, replication_factor: int
) -> list[Drift]:
    """Every setting where `live` differs from `spec` (a missing topic is one drift)."""
    name = spec.topic.value
    if live is None:
        return [Drift(name, "exists", "true", "false")]
    found = [
        Drift(name, "partitions", str(partitions), str(live.partitions))
        if live.partitions != partitions
        else None,
        Drift(name, "replication.factor", str(replication_factor), str(live.replication_factor))
        if live.replication_factor != replication_factor
        else None,
    ]
    for setting, expected in spec.configs(replication_factor).items():
        actual = live.configs.get(setting, "<unset>")
        if _normalised(setting, actual) != _normalised(setting, expected):
            found.append(Drift(name, setting, expected, actual))
    return [d for d in found if d is not None]


def drifts(
    specs: Iterable[TopicConfigSpec],
    live: Mapping[str, LiveTopic],
    *,
    partitions: int,
    replication_factor: int,
) -> list[Drift]:
    return [
        d
        for spec in specs
        for d in drift_of(
            spec,
            live.get(spec.topic.value),
            partitions=partitions,
            replication_factor=replication_factor,
        )
    ]
