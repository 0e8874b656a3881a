"""`syncctl`: push invoices to QuickBooks and follow the batch from a terminal.

    syncctl push --tenant T INV1 INV2 ... [--yes]
    syncctl watch --tenant T BATCH
    syncctl failed --tenant T BATCH
    syncctl status --tenant T INVOICE
    syncctl reconcile --tenant T
    syncctl inbox --tenant T [--status S] [--code C] [--trigger auto|push] [--since TIME]
    syncctl batches --tenant T [--state S]
    syncctl connection --tenant T
    syncctl ops

GATEWAY_URL and GATEWAY_TOKEN (or GATEWAY_ADMIN_TOKEN) come from the environment or
--url / --token. Exit status: 0 done, 1 the batch had failures, 2 usage or API error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from services.gateway.batches.model import OVERWRITE_WARNING
from services.gateway.cli import reconcile, reports
from services.gateway.cli.client import ApiError, GatewayClient
from services.gateway.cli.watch import watch_batch


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="syncctl", description="MediaOS → QuickBooks sync")
    parser.add_argument("--url", default=os.environ.get("GATEWAY_URL", "http://127.0.0.1:8080"))
    parser.add_argument(
        "--token",
        default=os.environ.get("GATEWAY_TOKEN") or os.environ.get("GATEWAY_ADMIN_TOKEN"),
        help="bearer token (default: $GATEWAY_TOKEN, then $GATEWAY_ADMIN_TOKEN)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    push = commands.add_parser("push", help="send invoices and watch the batch")
    push.add_argument("--tenant", required=True)
    push.add_argument("--yes", action="store_true", help="confirm the overwrite warning")
    push.add_argument("--no-watch", action="store_true", help="print the batch id and exit")
    push.add_argument("invoice_ids", nargs="+", metavar="INVOICE")
    watch = commands.add_parser("watch", help="follow a batch with a progress bar")
    watch.add_argument("--tenant", required=True)
    watch.add_argument("batch_id", metavar="BATCH")
    failed = commands.add_parser("failed", help="list a batch's failed invoices")
    failed.add_argument("--tenant", required=True)
    failed.add_argument("batch_id", metavar="BATCH")
    status = commands.add_parser("status", help="an invoice's QuickBooks sync status")
    status.add_argument("--tenant", required=True)
    status.add_argument("invoice_id", metavar="INVOICE")
    reconcile.add_parser(commands)
    reports.add_report_commands(commands)
    return parser


def _confirmed(args: argparse.Namespace, console: Console) -> bool:
    console.print(f"[yellow]{OVERWRITE_WARNING}[/]")
    try:
        answer = input(f"Send {len(args.invoice_ids)} invoice(s)? [y/N] ")
    except EOFError:  # no terminal to answer from
        return False
    return answer.strip().lower() in ("y", "yes")


async def _push(client: GatewayClient, args: argparse.Namespace, console: Console) -> int:
    accepted = await client.push(args.tenant, args.invoice_ids, confirm=True)
    batch_id = accepted["batch_id"]
    console.print(f"Batch [bold]{batch_id}[/] accepted ({accepted['total']} invoices).")
    console.print(f"Progress window: {accepted['links']['page']}")
    if args.no_watch:
        return 0
    return await _follow(client, args.tenant, batch_id, console)


async def _follow(client: GatewayClient, tenant: str, batch_id: str, console: Console) -> int:
    final = await watch_batch(client, tenant, batch_id, console)
    counts = final["counts"]
    console.print(
        f"{final['state']}: {counts['succeeded']} succeeded, {counts['failed']} failed, "
        f"{counts['skipped']} skipped"
    )
    if counts["failed"]:
        console.print(f"See them with: syncctl failed --tenant {tenant} {batch_id}")
        return 1
    return 0


async def _failed(client: GatewayClient, args: argparse.Namespace, console: Console) -> int:
    table = Table("Invoice", "Error", "Message", title=f"Failed invoices of {args.batch_id}")
    count = 0
    async for row in client.invoices(args.tenant, args.batch_id, status="failed"):
        error = row["error"] or {}
        table.add_row(row["invoice_id"], error.get("code", ""), error.get("message", ""))
        count += 1
    if count:
        console.print(table)
    else:
        console.print("No failed invoices.")
    return 0


async def _status(client: GatewayClient, args: argparse.Namespace, console: Console) -> int:
    body = await client.sync_status(args.tenant, args.invoice_id)
    table = Table(show_header=False, title=f"Invoice {args.invoice_id}")
    error = body.get("last_error") or {}
    for label, value in (
        ("External Number", body["external_number"]),
        ("QuickBooks Id", body["external_id"]),
        ("Last result", body["last_result"]),
        ("Last result at", body["last_result_at"]),
        ("Last synced at", body["last_synced_at"]),
        ("Error", f"{error.get('code')}: {error.get('message')}" if error else ""),
    ):
        table.add_row(label, str(value or ""))
    console.print(table)
    return 0


_REPORTS = {
    "inbox": reports.inbox,
    "batches": reports.batches,
    "connection": reports.connection,
    "ops": reports.ops,
}


async def _run(args: argparse.Namespace, console: Console) -> int:
    client = GatewayClient(args.url, args.token)
    try:
        if args.command == "push":
            return await _push(client, args, console)
        if args.command == "watch":
            return await _follow(client, args.tenant, args.batch_id, console)
        if args.command == "failed":
            return await _failed(client, args, console)
        if args.command == "reconcile":
            return await reconcile.reconcile(args, console)
        if args.command in _REPORTS:
            return await _REPORTS[args.command](client, args, console)
        return await _status(client, args, console)
    except ApiError as exc:
        console.print(f"[red]Error {exc.status}:[/] {exc}")
        return 2
    finally:
        await client.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console()
    if not args.token:
        console.print("[red]No token:[/] set GATEWAY_TOKEN or pass --token.")
        return 2
    if args.command == "push" and not args.yes and not _confirmed(args, console):
        console.print("Nothing sent.")
        return 2
    try:
        return asyncio.run(_run(args, console))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
