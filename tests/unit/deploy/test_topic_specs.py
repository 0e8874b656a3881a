"""Topic specs: every contract topic has one, with a reason per setting, and live configs
are compared setting by setting."""

from __future__ import annotations

from services.contract.topics import Topic
from services.platform.topic_specs import (
    DAY_MS,
    SPEC_BY_NAME,
    TOPIC_SPECS,
    LiveTopic,
    drift_of,
    drifts,
)


def _live(name: str, **overrides: str) -> LiveTopic:
    configs = {**SPEC_BY_NAME[name].configs(3), **overrides}
    return LiveTopic(name, 12, 3, configs)


def test_one_spec_per_topic_with_a_reason_for_each_setting() -> None:
    assert sorted(s.topic.value for s in TOPIC_SPECS) == sorted(t.value for t in Topic)
    for spec in TOPIC_SPECS:
        for setting in ("partitions", "cleanup.policy", "retention.ms", "min.insync.replicas"):
            assert spec.reasons[setting], (spec.topic, setting)
        assert spec.reasons["max.message.bytes"], spec.topic


def test_state_is_compacted_and_dead_letters_stay_a_month() -> None:
    assert SPEC_BY_NAME[Topic.SETTINGS.value].cleanup_policy == "compact"
    assert SPEC_BY_NAME[Topic.CONNECTIONS.value].cleanup_policy == "compact"
    assert SPEC_BY_NAME[Topic.DEAD_LETTERS.value].retention_ms >= 30 * DAY_MS


def test_a_matching_topic_has_no_drift() -> None:
    live = {s.topic.value: _live(s.topic.value) for s in TOPIC_SPECS}
    assert drifts(TOPIC_SPECS, live, partitions=12, replication_factor=3) == []


def test_each_differing_setting_is_one_drift() -> None:
    name = Topic.RESULTS.value
    live = _live(name, **{"retention.ms": "1000", "min.insync.replicas": "1"})
    found = drift_of(SPEC_BY_NAME[name], live, partitions=6, replication_factor=3)
    assert {(d.setting, d.expected, d.actual) for d in found} == {
        ("partitions", "6", "12"),
        ("retention.ms", str(SPEC_BY_NAME[name].retention_ms), "1000"),
        ("min.insync.replicas", "2", "1"),
    }


def test_policy_order_does_not_matter_and_a_missing_topic_is_reported() -> None:
    spec = SPEC_BY_NAME[Topic.INVOICES.value]
    twisted = LiveTopic(spec.topic.value, 12, 3, {**spec.configs(3), "cleanup.policy": "delete"})
    assert drift_of(spec, twisted, partitions=12, replication_factor=3) == []
    missing = drift_of(spec, None, partitions=12, replication_factor=3)
    assert [(d.setting, d.actual) for d in missing] == [("exists", "false")]
