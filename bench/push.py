"""2. Single-tenant push of N invoices at QuickBooks' default limits (500/min, 10/s)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from bench.common import (
    ResultWatcher,
    api_calls,
    connected_tenant,
    diff_counts,
    ideal_seconds,
    ids_of,
    invoice_records,
    push,
    single_calls,
    summary,
    table,
    write_json,
)
from bench.meters import RoundTripMeter, meters, per_unit
from bench.session import store_invoices, worker_session
from bench.stack import BenchStack


async def run(stack: BenchStack, *, quick: bool) -> dict[str, Any]:
    n = 200 if quick else 600
    async with worker_session(stack) as (sandbox, pool):
        tenant, realm_id = await connected_tenant(stack, sandbox, pool)  # default limits
        realm = (await sandbox._http.get(f"/_sandbox/realms/{realm_id}")).json()
        records = invoice_records(tenant, n, "P")
        ids = ids_of(records)
        await store_invoices(stack, pool, [tenant], records)
        before = await sandbox.stats(realm_id)
        ms = meters(stack)
        trips = RoundTripMeter(stack)
        async with ResultWatcher(stack.bootstrap) as watcher:
            await trips.start()
            for m in ms:
                m.start()
            t0 = time.perf_counter()
            batch_id = await push(stack.bootstrap, tenant, ids)
            watcher.watch(batch_id)
            print(f"push: {n} invoices requested (batch {batch_id}) ...", flush=True)
            complete = await watcher.wait(batch_id, n, within=600)
            wall = time.perf_counter() - t0
            after = await sandbox.stats(realm_id)
            resources = [m.stop() for m in ms]
            round_trips = await trips.stop()
            first = watcher.first_per_invoice(batch_id)
        # Trailing calls (webhook-triggered reads etc.) that land after the last result.
        await asyncio.sleep(3)
        settled = await sandbox.stats(realm_id)

    calls = diff_counts(api_calls(after), api_calls(before))
    total_calls = sum(calls.values())
    throttled = after["throttled"] - before["throttled"]
    outcomes = Counter(a.event_type for a in first.values())
    errors = Counter(a.error_code for a in first.values() if a.error_code)
    done_at = sorted(a.at - t0 for a in first.values())
    ideal = ideal_seconds(single_calls(before, after))  # as single calls: batches can beat it
    per_minute_limit = int(realm.get("limits", {}).get("per_minute", 500))
    result = {
        "invoices": n,
        "complete": complete,
        "wall_seconds": wall,
        "seconds_per_invoice": wall / n,
        "invoices_per_minute": n / wall * 60,
        "outcomes": dict(outcomes),
        "errors": dict(errors),
        "quickbooks_calls": calls,
        "quickbooks_calls_total": total_calls,
        "calls_per_invoice": total_calls / n,
        "calls_per_minute_avg": total_calls / wall * 60,
        "calls_per_second_avg": total_calls / wall,
        "peak_per_minute": after["peak_per_minute"],
        "peak_per_second": after["peak_per_second"],
        "peak_per_minute_fraction_of_limit": after["peak_per_minute"] / per_minute_limit,
        "throttled_429": throttled,
        "throttled_429_after_settle": settled["throttled"] - before["throttled"],
        "calls_after_last_result": sum(api_calls(settled).values())
        - sum(api_calls(after).values()),
        "realm_limits": realm.get("limits"),
        "ideal_seconds_at_limits": ideal,
        "efficiency_vs_ideal": ideal / wall if wall else None,
        "time_to_result_seconds": summary(done_at),
        "resources": resources,
        "db_round_trips": round_trips,
        "db_round_trips_per_invoice": per_unit(round_trips, n),
    }
    for r in resources:
        r["cpu_seconds_per_1000_invoices"] = float(r["cpu_seconds"]) / n * 1000  # type: ignore[arg-type]
    rows = [
        ("invoices pushed", n),
        ("outcomes", ", ".join(f"{k.split('.')[-1]}={v}" for k, v in outcomes.items())),
        ("wall time, request -> last result (s)", wall),
        ("time per invoice (s)", wall / n),
        (
            "QuickBooks calls (admitted)",
            f"{total_calls} ({', '.join(f'{k}={v}' for k, v in calls.items())})",
        ),
        ("calls/s, average over wall time (limit 10/s)", total_calls / wall),
        ("calls/min, average over wall time", total_calls / wall * 60),
        ("calls/min, peak sliding minute (sandbox)", after["peak_per_minute"]),
        (
            "peak minute as fraction of the 500/min limit",
            after["peak_per_minute"] / per_minute_limit,
        ),
        ("calls/s, peak sliding second (sandbox)", after["peak_per_second"]),
        ("ideal time for these calls at 10/s + 500/min (s)", ideal),
        ("efficiency (ideal / actual)", ideal / wall if wall else float("nan")),
        ("429 throttled responses", throttled),
        (
            "PostgreSQL round trips per invoice (worker / gateway)",
            "{sync_worker:.1f} / {gateway:.1f}".format(**per_unit(round_trips, n)),
        ),
        (
            "time to result p50 / p99 (s)",
            f"{summary(done_at)['p50']:.1f} / {summary(done_at)['p99']:.1f}",
        ),
    ]
    print(
        table(
            f"2. Single-tenant push ({n} invoices, realm limits 500/min + 10/s)",
            rows,
            ["measure", "value"],
        )
    )
    result["json"] = write_json("push_single_tenant", result)
    return result
