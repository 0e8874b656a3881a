"""`python -m bench run [--only NAME ...] [--quick]`; see BENCHMARKS.md."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from bench import gateway, ingest, many_tenants, month_end, push, reconcile, resources, scaling
from bench.common import write_json
from bench.stack import REPO, BenchStack, bench_stack, machine
from services.quickbooks_sandbox.domain.latency import parse_latency

Bench = Callable[[BenchStack], Awaitable[dict[str, Any]]]

# Order matters: the gateway benchmark stops the worker (see bench/gateway.py).
NAMES = (
    "ingest",
    "push",
    "many-tenants",
    "month-end",
    "scaling",
    "reconcile",
    "gateway",
    "resources",
)
# The measurements with the sandbox's latency profile and a `--size`.
SIZED = ("month-end", "scaling")
NEEDS = {"resources": ("ingest", "push", "gateway")}


async def _run_all(
    stack: BenchStack, names: list[str], quick: bool, size: str
) -> tuple[dict[str, Any], list[str]]:
    modules = {
        "ingest": ingest,
        "push": push,
        "many-tenants": many_tenants,
        "month-end": month_end,
        "scaling": scaling,
        "reconcile": reconcile,
        "gateway": gateway,
    }
    results: dict[str, Any] = {}
    failed: list[str] = []
    for name in names:
        if name == "resources":
            continue
        started = time.monotonic()
        print(f"\n=== {name} ===", flush=True)
        try:
            extra = {"size": size} if name in SIZED else {}
            results[name] = await modules[name].run(stack, quick=quick, **extra)
            results[name]["bench_seconds"] = time.monotonic() - started
        except Exception:
            traceback.print_exc()
            failed.append(name)
    if "resources" in names:
        results["resources"] = resources.report(results)
    return results, failed


def _latency(text: str) -> str:
    try:
        parse_latency(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def _env_pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, not {text!r}")
    return key, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start a throwaway stack, run the benchmarks, stop it")
    run.add_argument(
        "--only",
        action="append",
        choices=NAMES,
        metavar="NAME",
        help=f"run only this one (repeatable): {', '.join(NAMES)}",
    )
    run.add_argument("--quick", action="store_true", help="smaller workloads (a smoke run)")
    run.add_argument(
        "--size",
        choices=("default", "large", "one"),
        default="default",
        help="month-end and scaling: 20 x 100 invoices (default), 50 x 100 (large) or "
        "1 x 300 (one: a company whose own rate limit binds)",
    )
    run.add_argument(
        "--latency",
        default="p50=400,p99=400",
        type=_latency,
        help="sandbox latency for month-end and scaling: 'p50=MS,p99=MS' (lognormal; "
        "default a constant 400 ms), 'intuit' (p50 300, p99 1200) or 'off'",
    )
    run.add_argument(
        "--service-env",
        action="append",
        default=[],
        type=_env_pair,
        metavar="KEY=VALUE",
        help="extra environment for the worker and gateway (repeatable), e.g. a feature flag "
        "to measure with and without it",
    )
    args = parser.parse_args(argv)
    os.chdir(REPO)
    wanted = set(args.only or NAMES)
    for name in list(wanted):
        wanted.update(NEEDS.get(name, ()))
    names = [n for n in NAMES if n in wanted]
    # deploy/local probes the broker until it answers; aiokafka logs every refused probe.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    started = time.monotonic()
    info = machine()
    print(
        f"bench: {', '.join(names)} ({'quick' if args.quick else 'full'}) on "
        f"{info['nproc']} CPUs, {info['ram_gib']} GiB, Python {info['python']}, "
        f"{info['kafka']}",
        flush=True,
    )
    with bench_stack(dict(args.service_env)) as stack:
        stack.latency = args.latency
        results, failed = asyncio.run(_run_all(stack, names, args.quick, args.size))
    elapsed = time.monotonic() - started
    write_json(
        "run",
        {
            "command": "python -m bench run"
            + "".join(f" --only {n}" for n in args.only or ())
            + (" --quick" if args.quick else "")
            + (f" --size {args.size}" if args.size != "default" else "")
            + f" --latency {args.latency}"
            + "".join(f" --service-env {k}={v}" for k, v in args.service_env),
            "machine": info,
            "loadavg_at_end": os.getloadavg(),
            "benchmarks": names,
            "failed": failed,
            "total_seconds": elapsed,
            "bench_seconds": {k: v.get("bench_seconds") for k, v in results.items()},
        },
    )
    print(
        f"\nbench: done in {elapsed:.0f}s; JSON in bench/results/"
        + (f"; FAILED: {', '.join(failed)}" if failed else ""),
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
