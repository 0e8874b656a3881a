"""Scaling: the month-end workload on 1, then on 2 worker replicas (fresh tenants each
time). On a 2-CPU machine the wall time cannot halve once the machine is CPU-bound, so CPU
per invoice (workers + PostgreSQL) is reported beside it: it shows what a replica costs."""

from __future__ import annotations

import time
from typing import Any

import asyncpg

from bench.common import table, wait_count, write_json
from bench.month_end import measure, print_report, size_of
from bench.stack import BenchStack
from services.platform.postgres import create_pool


async def _wait_heartbeats(stack: BenchStack, replicas: int, within: float = 60) -> None:
    """Until `replicas` workers have written a heartbeat since the last one started."""
    since = time.time()
    pool = await create_pool(stack.dsn, "sync_worker", max_size=1)
    try:
        await wait_count(
            pool,
            "SELECT count(*) FROM worker_heartbeats "
            "WHERE last_seen > to_timestamp($1) - interval '1 second'",
            since,
            at_least=replicas,
            what="worker heartbeats",
            within=within,
        )
    finally:
        await pool.close()


async def _realm_share(stack: BenchStack) -> dict[str, int] | None:
    """Realms held per replica, from `realm_leases` when the worker has that table."""
    conn = await asyncpg.connect(stack.dsn)
    try:
        if not await conn.fetchval("SELECT to_regclass('sync_worker.realm_leases') IS NOT NULL"):
            return None
        rows = await conn.fetch(
            "SELECT coalesce(owner, '(released)') AS owner, count(*) AS n "
            "FROM sync_worker.realm_leases GROUP BY 1"
        )
        return {str(r["owner"]): int(r["n"]) for r in rows}
    finally:
        await conn.close()


def _cpu_per_invoice(r: dict[str, Any]) -> dict[str, float]:
    cpu = r["cpu_ms_per_invoice"]
    workers = sum(v for k, v in cpu.items() if k.startswith("sync-worker"))
    return {"workers": workers, "postgres": cpu.get("postgres", 0.0)}


async def run(stack: BenchStack, *, quick: bool, size: str = "default") -> dict[str, Any]:
    n_tenants, per_tenant = size_of(quick, size)
    runs: dict[int, dict[str, Any]] = {}
    try:
        for replicas in (1, 2):
            while len(stack.workers) < replicas:
                stack.start_worker()
            await _wait_heartbeats(stack, replicas)
            r = await measure(stack, n_tenants, per_tenant, f"scaling-{replicas}")
            r["replicas"] = replicas
            r["realm_share"] = await _realm_share(stack)
            print_report(f"Scaling: {replicas} worker replica(s)", r)
            runs[replicas] = r
    finally:
        stack.stop_workers(keep=1)
    one, two = runs[1], runs[2]
    cpu1, cpu2 = _cpu_per_invoice(one), _cpu_per_invoice(two)
    ratios = {
        "wall_seconds": two["wall_seconds"] / one["wall_seconds"],
        "invoices_per_second": two["invoices_per_second"] / one["invoices_per_second"],
        "cpu_ms_per_invoice_workers": cpu2["workers"] / cpu1["workers"],
        "cpu_ms_per_invoice_postgres": cpu2["postgres"] / cpu1["postgres"],
        "finish_over_ideal_max": two["finish_over_ideal"]["max"] / one["finish_over_ideal"]["max"],
    }
    rows = [
        ("wall time (s)", one["wall_seconds"], two["wall_seconds"], ratios["wall_seconds"]),
        (
            "invoices/s",
            one["invoices_per_second"],
            two["invoices_per_second"],
            ratios["invoices_per_second"],
        ),
        (
            "CPU ms per invoice, workers (sum)",
            cpu1["workers"],
            cpu2["workers"],
            ratios["cpu_ms_per_invoice_workers"],
        ),
        (
            "CPU ms per invoice, PostgreSQL",
            cpu1["postgres"],
            cpu2["postgres"],
            ratios["cpu_ms_per_invoice_postgres"],
        ),
        (
            "finish / ideal, max",
            one["finish_over_ideal"]["max"],
            two["finish_over_ideal"]["max"],
            ratios["finish_over_ideal_max"],
        ),
        ("429 responses", one["throttled_429_total"], two["throttled_429_total"], "-"),
        (
            "round trips per invoice, workers",
            one["db_round_trips_per_invoice"]["sync_worker"],
            two["db_round_trips_per_invoice"]["sync_worker"],
            "-",
        ),
    ]
    print(
        table(
            f"Scaling: {n_tenants} tenants x {per_tenant} invoices, 1 vs 2 worker replicas",
            rows,
            ["measure", "1 replica", "2 replicas", "2 / 1"],
        ),
        flush=True,
    )
    result = {"tenants": n_tenants, "invoices_per_tenant": per_tenant, "ratios_2_over_1": ratios}
    result["runs"] = {str(k): v for k, v in runs.items()}
    result["json"] = write_json("scaling", result)
    return result
