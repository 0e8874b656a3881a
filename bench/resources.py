"""5. CPU seconds and peak memory per 1,000 invoices, from the phases that ran."""

from __future__ import annotations

from typing import Any

from bench.common import table, write_json


def _row(phase: str, unit: str, count: int, r: dict[str, Any]) -> dict[str, Any]:
    cpu = float(r["cpu_seconds"])
    return {
        "phase": phase,
        "process": r["process"],
        "unit": unit,
        "count": count,
        "cpu_seconds": cpu,
        "cpu_seconds_per_1000": cpu / count * 1000,
        "peak_rss_mib": r.get("peak_rss_mib"),
        "rss_after_mib": r.get("rss_after_mib"),
        "peak_is_since_start": r.get("peak_is_since_start"),
    }


def report(results: dict[str, Any]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    if "ingest" in results:
        ing = results["ingest"]
        for r in ing["worker"]["resources"]:
            rows.append(_row("ingest (new invoices stored)", "invoice events", ing["events"], r))
        bare = ing["bare_aiokafka_json"]
        rows.append(
            {
                "phase": "ingest",
                "process": "bare aiokafka loop (bench process)",
                "unit": "invoice events",
                "count": bare["events"],
                "cpu_seconds": bare["cpu_seconds"],
                "cpu_seconds_per_1000": bare["cpu_seconds_per_1000"],
                "peak_rss_mib": None,
                "rss_after_mib": None,
                "peak_is_since_start": None,
            }
        )
    if "push" in results:
        p = results["push"]
        for r in p["resources"]:
            rows.append(_row("single-tenant push", "invoices pushed", p["invoices"], r))
    if "many-tenants" in results:
        m = results["many-tenants"]
        count = m["tenants"] * m["invoices_per_tenant"] + 5 * len(m["small_batches"])
        for r in m["resources"]:
            rows.append(_row("8 tenants pushing", "invoices pushed", count, r))
    if "month-end" in results:
        me = results["month-end"]
        for r in me["resources"]:
            rows.append(
                _row(
                    f"month end, {me['tenants']} tenants",
                    "invoices pushed",
                    me["invoices_in_measured_phase"],
                    r,
                )
            )
    if "gateway" in results:
        for rnd in results["gateway"]["rounds"]:
            rows.append(
                _row(
                    f"gateway SSE, {rnd['clients']} client(s)",
                    "results",
                    rnd["results"],
                    rnd["gateway_resources"],
                )
            )
    print(
        table(
            "5. CPU seconds and peak memory per 1,000 invoices (utime+stime from /proc, VmHWM "
            "reset at phase start)",
            [
                (
                    r["phase"],
                    r["process"],
                    r["count"],
                    r["cpu_seconds"],
                    r["cpu_seconds_per_1000"],
                    r["peak_rss_mib"] if r["peak_rss_mib"] is not None else "-",
                )
                for r in rows
            ],
            ["phase", "process", "units", "CPU s", "CPU s / 1k", "peak RSS MiB"],
        )
    )
    out = {"rows": rows}
    out["json"] = write_json("resources", out)  # type: ignore[assignment]
    return out
