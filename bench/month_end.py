"""Month end: N tenants x M invoices pushed at once under QuickBooks-like latency (see
`bench.workload`); is every company's budget used, and does a small batch stay fast?"""

from __future__ import annotations

from typing import Any

from bench.common import (
    api_calls,
    ideal_seconds,
    percentile,
    single_calls,
    summary,
    table,
    write_json,
)
from bench.meters import per_unit
from bench.session import worker_session
from bench.stack import BenchStack
from bench.workload import SMALL, Tenants, drive, prepare, set_latency

SIZES = {"quick": (8, 30), "default": (20, 100), "large": (50, 100), "one": (1, 300)}
TARGET_RATIO = 1.25


def size_of(quick: bool, size: str) -> tuple[int, int]:
    return SIZES["quick"] if quick and size == "default" else SIZES[size]


def _calls(before: dict[str, Any], after: dict[str, Any]) -> int:
    return sum(api_calls(after).values()) - sum(api_calls(before).values())


def summarize(
    raw: dict[str, Any], tenants: Tenants, latency: dict[str, Any] | None
) -> dict[str, Any]:
    """Per-tenant finish against its ideal, 429s, peaks, probes, and costs per invoice."""
    before, after = raw["stats_before"], raw["stats_after"]
    median_latency_s = float(latency["p50_ms"]) / 1000 if latency else 0.0
    invoices = sum(len(v) for v in tenants.ids.values())
    per_tenant = []
    for tenant, realm in tenants.big:
        calls = _calls(before[realm], after[realm])
        # The fastest the two windows allow for this company's calls sent one by one, plus
        # the answer time of the last call. Batched creates can beat it (ratio < 1).
        ideal = ideal_seconds(single_calls(before[realm], after[realm])) + median_latency_s
        finish = raw["finish_seconds"][tenant]
        per_tenant.append(
            {
                "tenant": tenant,
                "realm": realm,
                "calls": calls,
                "finish_seconds": finish,
                "ideal_seconds": ideal,
                "ratio": finish / ideal if ideal else float("nan"),
                "throttled_429": after[realm]["throttled"] - before[realm]["throttled"],
                "peak_per_second": after[realm]["peak_per_second"],
                "peak_per_minute": after[realm]["peak_per_minute"],
            }
        )
    ratios = [t["ratio"] for t in per_tenant]
    probe = [s for p in raw["probes"] for s in p["seconds"]]
    big_calls = sum(t["calls"] for t in per_tenant)
    # Costs are over the measured phase, which also pushed the probe's batches.
    pushed = invoices + len(probe)
    cpu = {str(r["process"]): float(r["cpu_seconds"]) / pushed * 1000 for r in raw["resources"]}
    return {
        "tenants": len(tenants.big),
        "invoices_per_tenant": invoices // max(1, len(tenants.big)),
        "invoices": invoices,
        "invoices_in_measured_phase": pushed,
        "latency_profile": latency,
        "wall_seconds": raw["wall_seconds"],
        "invoices_per_second": invoices / raw["wall_seconds"],
        "calls_per_second": big_calls / raw["wall_seconds"],
        "aggregate_limit_calls_per_second": 10 * len(tenants.big),
        "publish_seconds": raw["publish_seconds"],
        "outcomes": raw["outcomes"],
        "finish_over_ideal": {
            "max": max(ratios),
            "p50": percentile(ratios, 50),
            "tenants_within_target": sum(1 for r in ratios if r <= TARGET_RATIO),
            "target": TARGET_RATIO,
        },
        "finish_seconds": summary([t["finish_seconds"] for t in per_tenant]),
        "throttled_429_total": sum(t["throttled_429"] for t in per_tenant),
        "throttled_429_probe_realm": after[tenants.probe[1]]["throttled"]
        - before[tenants.probe[1]]["throttled"],
        "peak_per_second_max": max(t["peak_per_second"] for t in per_tenant),
        "probe_idle_seconds": summary(raw["idle_probe_seconds"]),
        "probe_under_load_seconds": summary(probe),
        "probes": raw["probes"],
        "calls_per_invoice": big_calls / invoices,
        "db_round_trips": raw["db_round_trips"],
        "db_round_trips_per_invoice": per_unit(raw["db_round_trips"], pushed),
        "cpu_ms_per_invoice": cpu,
        "bytes": raw["bytes"],
        "bytes_per_invoice": {k: v / pushed for k, v in raw["bytes"].items()},
        "resources": raw["resources"],
        "per_tenant": per_tenant,
    }


def print_report(title: str, r: dict[str, Any]) -> None:
    ratio, fin = r["finish_over_ideal"], r["finish_seconds"]
    idle, load = r["probe_idle_seconds"], r["probe_under_load_seconds"]
    trips = r["db_round_trips_per_invoice"]
    rows: list[tuple[str, object]] = [
        ("workload", f"{r['tenants']} tenants x {r['invoices_per_tenant']} invoices"),
        ("latency profile (sandbox)", _profile(r["latency_profile"])),
        ("outcomes", ", ".join(f"{k.split('.')[-1]}={v}" for k, v in r["outcomes"].items())),
        ("wall time, first request -> last result (s)", r["wall_seconds"]),
        ("invoices/s over the wall time", r["invoices_per_second"]),
        (
            "QuickBooks calls/s (limit 10/s per realm)",
            f"{r['calls_per_second']:.1f} (limit {r['aggregate_limit_calls_per_second']})",
        ),
        ("tenant finish p50 / max (s)", f"{fin['p50']:.1f} / {fin['max']:.1f}"),
        (
            f"finish / ideal, max and p50 (target <= {TARGET_RATIO})",
            f"{ratio['max']:.2f} / {ratio['p50']:.2f} "
            f"({ratio['tenants_within_target']}/{r['tenants']} within)",
        ),
        (
            "429 responses (large realms; probe realm)",
            f"{r['throttled_429_total']}; {r['throttled_429_probe_realm']}",
        ),
        ("peak calls in a sliding second, any realm", r["peak_per_second_max"]),
        (f"probe ({SMALL}) idle p50 / p99 (s)", f"{idle['p50']:.2f} / {idle['p99']:.2f}"),
        (
            f"probe under load ({load['n']} invoices) p50 / p99 (s)",
            f"{load['p50']:.2f} / {load['p99']:.2f}",
        ),
        ("QuickBooks calls per invoice", r["calls_per_invoice"]),
        (
            "PostgreSQL round trips per invoice (workers / gateway)",
            f"{trips['sync_worker']:.1f} / {trips['gateway']:.1f}",
        ),
    ]
    rows += [(f"CPU ms per invoice, {k}", v) for k, v in r["cpu_ms_per_invoice"].items()]
    rows += [
        ("PostgreSQL WAL bytes per invoice", r["bytes_per_invoice"]["wal_bytes"]),
        ("Kafka log bytes per invoice", r["bytes_per_invoice"]["kafka_log_bytes"]),
    ]
    print(table(title, rows, ["measure", "value"]))
    print(
        "   per realm (finish s / ideal s / 429 / peak per s): "
        + "; ".join(
            f"{t['finish_seconds']:.1f}/{t['ideal_seconds']:.1f}/{t['throttled_429']}/"
            f"{t['peak_per_second']}"
            for t in r["per_tenant"]
        ),
        flush=True,
    )


def _profile(latency: dict[str, Any] | None) -> str:
    if latency is None:
        return "off"
    if latency["p50_ms"] == latency["p99_ms"]:
        return f"constant {latency['p50_ms']:.0f} ms"
    return (
        f"{latency['distribution']} p50 {latency['p50_ms']:.0f} ms, p99 {latency['p99_ms']:.0f} ms"
    )


async def measure(stack: BenchStack, n_tenants: int, per_tenant: int, tag: str) -> dict[str, Any]:
    """Fresh tenants, the workload under `stack.latency`; latency is off again afterwards."""
    async with worker_session(stack) as (sandbox, pool):
        tenants = await prepare(stack, sandbox, pool, n_tenants, per_tenant, tag)
        latency = await set_latency(sandbox, stack.latency)
        print(f"{tag}: latency {_profile(latency)}; pushing ...", flush=True)
        try:
            raw = await drive(stack, sandbox, tenants)
        finally:
            await set_latency(sandbox, "off")
    result = summarize(raw, tenants, latency)
    # What the workers ran with, so that a figure can be tied to a configuration.
    result["worker_settings"] = {
        k: v
        for k, v in stack.env.items()
        if k.startswith(("QBO_RATE", "QBO_BATCH", "EXECUTOR")) or k in stack.extra_env
    }
    result["worker_replicas"] = len(stack.workers)
    return result


async def run(stack: BenchStack, *, quick: bool, size: str = "default") -> dict[str, Any]:
    n_tenants, per_tenant = size_of(quick, size)
    result = await measure(stack, n_tenants, per_tenant, "month-end")
    result["size"] = "quick" if quick and size == "default" else size
    print_report(
        f"Month end: {n_tenants} tenants x {per_tenant} invoices under latency, own realms",
        result,
    )
    result["json"] = write_json("month_end", result)
    return result
