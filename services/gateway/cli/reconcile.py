"""`syncctl reconcile --tenant T [--wait/--no-wait]`: start a reconciliation, show a progress
bar, then a summary table (count and amounts per category) and the first differences."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from services.gateway.cli.client import GatewayClient
from services.gateway.cli.output import emit_json

_LABELS = {
    "in_sync": "In sync",
    "missing_in_quickbooks": "Missing in QuickBooks",
    "different": "Different",
    "only_in_quickbooks": "Only in QuickBooks",
    "not_sendable": "Not sendable",
}


class ReconcileClient(GatewayClient):
    async def start(self, tenant: str) -> dict[str, Any]:
        return await self._json("POST", f"/v1/tenants/{tenant}/reconciliations", json={})

    async def run(self, tenant: str, run_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/v1/tenants/{tenant}/reconciliations/{run_id}")

    async def differences(self, tenant: str, run_id: str, limit: int) -> list[dict[str, Any]]:
        page = await self._json(
            "GET",
            f"/v1/tenants/{tenant}/reconciliations/{run_id}/differences",
            params={"category": "different", "limit": str(limit)},
        )
        items: list[dict[str, Any]] = page["items"]
        return items


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("reconcile", help="prove MediaOS and QuickBooks agree")
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between updates")


async def _follow(
    client: ReconcileClient, tenant: str, run_id: str, poll: float, console: Console | None
) -> dict[str, Any]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
    )
    with Progress(*columns, console=console, transient=True, disable=console is None) as bar:
        task = bar.add_task("queued", total=None)
        while True:
            run = await client.run(tenant, run_id)
            bar.update(
                task,
                description=f"{run['phase']} ({run['quickbooks_calls']} QuickBooks calls)",
                total=run["invoices_total"],
                completed=run["invoices_checked"],
            )
            if run["state"] in ("completed", "failed"):
                return run
            await asyncio.sleep(poll)


def summary(run: dict[str, Any]) -> Table:
    table = Table(
        "Category",
        "Invoices",
        "MediaOS amount",
        "QuickBooks amount",
        title=f"Reconciliation {run['id']}",
    )
    for key, label in _LABELS.items():
        row = (run["counts"] or {}).get(key) or {
            "count": 0,
            "mediaos_amount": "0",
            "quickbooks_amount": "0",
        }
        table.add_row(label, str(row["count"]), row["mediaos_amount"], row["quickbooks_amount"])
    totals = run["totals"] or {}
    table.add_row(
        "Total",
        str(totals.get("count", 0)),
        totals.get("mediaos_amount", ""),
        totals.get("quickbooks_amount", ""),
        style="bold",
    )
    return table


async def reconcile(args: argparse.Namespace, console: Console) -> int:
    """Exit status 0: everything in sync; 1: something to look at; 2: the run failed."""
    api = ReconcileClient(args.url, args.token)
    try:
        return await _reconcile(api, args, console)
    finally:
        await api.close()


async def _reconcile(api: ReconcileClient, args: argparse.Namespace, console: Console) -> int:
    started = await api.start(args.tenant)
    run = await _follow(api, args.tenant, started["id"], args.poll, None if args.json else console)
    in_sync = (run["counts"] or {}).get("in_sync", {}).get("count", 0)
    code = 0 if in_sync == (run["totals"] or {}).get("count", 0) else 1
    if args.json:
        differences = (
            [] if run["state"] == "failed" else await api.differences(args.tenant, run["id"], 10)
        )
        emit_json({**run, "differences": differences})
        return 2 if run["state"] == "failed" else code
    if run["state"] == "failed":
        console.print(f"[red]Reconciliation failed:[/] {run['error']}")
        return 2
    console.print(summary(run))
    for row in await api.differences(args.tenant, run["id"], 10):
        fields = ", ".join(
            f"{d['field']}: {d['mediaos']} → {d['quickbooks']}" for d in row["differences"]
        )
        console.print(f"  {row['number']} ({row['external_number']}): {fields}")
    console.print(f"All findings: {run['links']['csv']}")
    return code
