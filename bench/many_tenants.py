"""3. Many tenants at once: T tenants push a batch each concurrently (own realms at default
limits) while small 5-invoice batches of another tenant are submitted mid-way (fairness)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from bench.common import (
    ResultWatcher,
    connected_tenant,
    ideal_seconds,
    ids_of,
    invoice_records,
    push,
    records_per_tenant,
    single_calls,
    summary,
    table,
    write_json,
)
from bench.meters import RoundTripMeter, meters, per_unit
from bench.session import store_invoices, worker_session
from bench.stack import BenchStack

SMALL = 5
SMALL_AT = (0.10, 0.40, 0.70)  # submit a small batch when this share of the load is done


async def run(stack: BenchStack, *, quick: bool) -> dict[str, Any]:
    n_tenants = 8
    per_tenant = 50 if quick else 150
    async with worker_session(stack) as (sandbox, pool):
        print(f"many-tenants: connecting {n_tenants} + 1 tenants ...", flush=True)
        big = [await connected_tenant(stack, sandbox, pool) for _ in range(n_tenants)]
        small_tenant, small_realm = await connected_tenant(stack, sandbox, pool)
        big_ids, everything = records_per_tenant([t for t, _ in big], per_tenant, "T")
        # Warm-up batch, idle baseline batch, then one batch per SMALL_AT share.
        small_records = invoice_records(small_tenant, SMALL * (2 + len(SMALL_AT)), "S")
        small_ids = ids_of(small_records)
        everything.extend(small_records)
        await store_invoices(stack, pool, [t for t, _ in big] + [small_tenant], everything)
        before = {realm: await sandbox.stats(realm) for _, realm in [*big, (0, small_realm)]}

        async with ResultWatcher(stack.bootstrap) as watcher:
            # Warm-up (access token, customer created and linked), so that the baseline
            # and the batches under load do the same work: one invoice.create each.
            warm = await push(stack.bootstrap, small_tenant, small_ids[:SMALL])
            watcher.watch(warm)
            await watcher.wait(warm, SMALL, within=60)
            # Baseline: a small batch on an idle worker.
            small_ids = small_ids[SMALL:]
            t_idle = time.perf_counter()
            idle_batch = await push(stack.bootstrap, small_tenant, small_ids[:SMALL])
            watcher.watch(idle_batch)
            await watcher.wait(idle_batch, SMALL, within=60)
            idle = [a.at - t_idle for a in watcher.first_per_invoice(idle_batch).values()]

            ms = meters(stack)
            trips = RoundTripMeter(stack)
            await trips.start()
            for m in ms:
                m.start()
            t0 = time.perf_counter()
            big_batches = {}
            for tenant, _ in big:
                batch = await push(stack.bootstrap, tenant, big_ids[tenant])
                watcher.watch(batch)
                big_batches[tenant] = batch
            total_big = n_tenants * per_tenant
            small_batches: list[tuple[str, float, float]] = []  # batch, submitted, load share
            deadline = time.monotonic() + 900
            pending_small = list(SMALL_AT)
            while True:
                done = sum(watcher.distinct(b) for b in big_batches.values())
                if pending_small and done >= pending_small[0] * total_big:
                    share = pending_small.pop(0)
                    k = len(small_batches) + 1
                    submitted = time.perf_counter()
                    batch = await push(
                        stack.bootstrap, small_tenant, small_ids[k * SMALL : (k + 1) * SMALL]
                    )
                    watcher.watch(batch)
                    small_batches.append((batch, submitted, done / total_big))
                    print(
                        f"many-tenants: small batch {k} submitted at {share:.0%} of the load",
                        flush=True,
                    )
                small_done = all(watcher.distinct(b) >= SMALL for b, _, _ in small_batches)
                if done >= total_big and not pending_small and small_done:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"only {done}/{total_big} results after 900s")
                await asyncio.sleep(0.05)
            wall = time.perf_counter() - t0
            resources = [m.stop() for m in ms]
            round_trips = await trips.stop()
            after = {realm: await sandbox.stats(realm) for _, realm in [*big, (0, small_realm)]}
            big_first = {t: watcher.first_per_invoice(b) for t, b in big_batches.items()}
            small_latencies = [
                a.at - submitted
                for batch, submitted, _ in small_batches
                for a in watcher.first_per_invoice(batch).values()
            ]

    finish = {t: max(a.at for a in f.values()) - t0 for t, f in big_first.items()}
    all_done = sorted(a.at - t0 for f in big_first.values() for a in f.values())
    t90 = all_done[int(0.9 * len(all_done)) - 1]
    throttled_by_realm = {r: after[r]["throttled"] - before[r]["throttled"] for r in after}
    outcomes = Counter(a.event_type for f in big_first.values() for a in f.values())
    # API calls as QuickBooks' minute window counts them (a `/batch` item is a call).
    calls = {realm: single_calls(before[realm], after[realm]) for realm in after}
    throttled = sum(after[r]["throttled"] - before[r]["throttled"] for r in after)
    total_calls = sum(calls.values())
    big_calls = sum(calls[realm] for _, realm in big)
    # Each realm has its own 10/s + 500/min budget: the ideal is one realm's ideal (its calls
    # sent one by one; batched creates can beat it).
    ideal = ideal_seconds(max(calls[realm] for _, realm in big))
    n_small = SMALL * len(small_batches)
    result = {
        "tenants": n_tenants,
        "invoices_per_tenant": per_tenant,
        "wall_seconds": wall,
        "aggregate_invoices_per_second": (total_big + n_small) / wall,
        "aggregate_calls_per_second": total_calls / wall,
        "seconds_to_90_percent": t90,
        "invoices_per_second_to_90_percent": 0.9 * total_big / t90,
        "throttled_429_by_realm": throttled_by_realm,
        "quickbooks_calls_total": total_calls,
        "quickbooks_calls_big_batches": big_calls,
        "throttled_429": throttled,
        "ideal_seconds_per_realm": ideal,
        "aggregate_limit_calls_per_second": 10 * n_tenants,
        "outcomes": dict(outcomes),
        "tenant_finish_seconds": summary(list(finish.values())),
        "small_batch_idle_seconds": summary(idle),
        "small_batch_under_load_seconds": summary(small_latencies),
        "small_batches": [
            {"batch_id": b, "submitted_after_s": s - t0, "load_share_done": share}
            for b, s, share in small_batches
        ],
        "peak_per_second_by_realm": {r: s["peak_per_second"] for r, s in after.items()},
        "resources": resources,
        "db_round_trips": round_trips,
        "db_round_trips_per_invoice": per_unit(round_trips, total_big + n_small),
    }
    for r in resources:
        r["cpu_seconds_per_1000_invoices"] = (
            float(r["cpu_seconds"]) / (total_big + n_small) * 1000  # type: ignore[arg-type]
        )
    idle_s, load_s = summary(idle), summary(small_latencies)
    fin = summary(list(finish.values()))
    rows = [
        ("large batches", f"{n_tenants} tenants x {per_tenant} invoices"),
        ("outcomes", ", ".join(f"{k.split('.')[-1]}={v}" for k, v in outcomes.items())),
        ("wall time, first request -> last result (s)", wall),
        ("aggregate invoices/s (over the wall time)", (total_big + n_small) / wall),
        ("time to 90% of the large batches' results (s)", t90),
        ("aggregate invoices/s up to 90%", 0.9 * total_big / t90),
        (
            "aggregate QuickBooks calls/s (limit 10/s per realm)",
            f"{total_calls / wall:.1f} (limit {10 * n_tenants})",
        ),
        ("ideal time per realm at its limits (s)", ideal),
        (
            "tenant finish time min / p50 / max (s)",
            f"{min(finish.values()):.1f} / {fin['p50']:.1f} / {fin['max']:.1f}",
        ),
        (
            "429 throttled responses (realms hit)",
            f"{throttled} ({sum(1 for v in throttled_by_realm.values() if v)})",
        ),
        (
            f"small batch ({SMALL}) on idle worker p50 / p99 (s)",
            f"{idle_s['p50']:.2f} / {idle_s['p99']:.2f}",
        ),
        (
            f"small batches during load ({len(small_latencies)} invoices) p50 / p99 (s)",
            f"{load_s['p50']:.2f} / {load_s['p99']:.2f}",
        ),
        (
            "PostgreSQL round trips per invoice (worker / gateway)",
            "{sync_worker:.1f} / {gateway:.1f}".format(
                **per_unit(round_trips, total_big + n_small)
            ),
        ),
        (
            "under load / idle (p50)",
            load_s["p50"] / idle_s["p50"] if idle_s["p50"] else float("nan"),
        ),
    ]
    print(
        table(
            "3. Many tenants at once (own realms, default limits) + small batches",
            rows,
            ["measure", "value"],
        )
    )
    result["json"] = write_json("many_tenants", result)
    return result
