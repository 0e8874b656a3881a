"""The bench's arithmetic: round trips read from /metrics, and the month-end summary."""

from __future__ import annotations

import pytest

from bench.common import ideal_seconds
from bench.meters import parse_round_trips, per_unit
from bench.month_end import summarize
from bench.workload import Tenants

METRICS = """# HELP db_round_trips_total Statements sent to PostgreSQL.
# TYPE db_round_trips_total counter
db_round_trips_total{service="sync_worker"} 1234.0
db_round_trips_created{service="sync_worker"} 1.7e+09
sync_units_in_flight 3.0
"""


def test_round_trips_are_read_per_service_and_divided_per_unit() -> None:
    assert parse_round_trips(METRICS) == {"sync_worker": 1234.0}
    assert per_unit({"sync_worker": 1000.0, "gateway": 250.0}, 100) == {
        "sync_worker": 10.0,
        "gateway": 2.5,
    }


def _stats(calls: int, throttled: int, peak: int) -> dict[str, object]:
    return {
        "requests": {"invoice.create": {"200": calls, "429": throttled}, "token": {"200": 1}},
        "throttled": throttled,
        "peak_per_second": peak,
        "peak_per_minute": calls,
    }


def test_each_tenant_is_held_to_its_own_realms_ideal_plus_one_answer() -> None:
    tenants = Tenants(
        big=[("t1", "r1"), ("t2", "r2")],
        ids={"t1": [f"a{i}" for i in range(20)], "t2": [f"b{i}" for i in range(20)]},
        probe=("p", "rp"),
        probe_ids=[],
    )
    before = {"r1": _stats(0, 0, 0), "r2": _stats(0, 0, 0), "rp": _stats(10, 0, 5)}
    after = {"r1": _stats(20, 0, 10), "r2": _stats(30, 2, 11), "rp": _stats(25, 1, 5)}
    raw = {
        "stats_before": before,
        "stats_after": after,
        "finish_seconds": {"t1": 2.3, "t2": 5.2},
        "wall_seconds": 5.5,
        "publish_seconds": 0.01,
        "outcomes": {"invoice.sync.succeeded": 40},
        "idle_probe_seconds": [0.5],
        "probes": [{"share": 0.1, "submitted_after_s": 1.0, "seconds": [1.0, 3.0]}],
        "resources": [{"process": "sync-worker", "cpu_seconds": 0.4}],
        "db_round_trips": {"sync_worker": 800.0, "gateway": 200.0, "by_replica": {}},
        "bytes": {"wal_bytes": 4000, "kafka_log_bytes": 2000},
    }
    r = summarize(raw, tenants, {"distribution": "lognormal", "p50_ms": 400, "p99_ms": 400})

    t1, t2 = r["per_tenant"]
    assert t1["ideal_seconds"] == pytest.approx(ideal_seconds(20) + 0.4)  # 1.0 + 0.4
    assert t1["ratio"] == pytest.approx(2.3 / 1.4)
    assert t2["ideal_seconds"] == pytest.approx(ideal_seconds(30) + 0.4)  # 2.0 + 0.4
    assert (t2["throttled_429"], t2["peak_per_second"]) == (2, 11)
    assert r["finish_over_ideal"]["max"] == pytest.approx(5.2 / 2.4)
    assert r["finish_over_ideal"]["tenants_within_target"] == 0
    assert r["throttled_429_total"] == 2
    assert r["throttled_429_probe_realm"] == 1
    assert r["calls_per_invoice"] == pytest.approx(50 / 40)  # the large realms' calls
    # Costs cover the measured phase: 40 large-batch invoices and the 2 probe invoices.
    assert r["invoices_in_measured_phase"] == 42
    assert r["db_round_trips_per_invoice"] == {
        "sync_worker": pytest.approx(800 / 42),
        "gateway": pytest.approx(200 / 42),
    }
    assert r["cpu_ms_per_invoice"] == {"sync-worker": pytest.approx(400 / 42)}
    assert r["bytes_per_invoice"] == {
        "wal_bytes": pytest.approx(4000 / 42),
        "kafka_log_bytes": pytest.approx(2000 / 42),
    }
    assert r["probe_under_load_seconds"]["p99"] == 3.0
