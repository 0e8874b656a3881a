"""`syncctl`: push invoices to QuickBooks and follow the batch from a terminal.

    syncctl push --tenant T INV1 INV2 ... [--yes] [--no-watch]
    syncctl retry --tenant T BATCH [--yes] [--no-watch]
    syncctl watch --tenant T BATCH
    syncctl failed --tenant T BATCH
    syncctl status --tenant T INVOICE
    syncctl reconcile --tenant T
    syncctl inbox --tenant T [--status S] [--code C] [--trigger auto|push] [--since TIME]
    syncctl batches --tenant T [--state S]
    syncctl connection --tenant T
    syncctl ops

Every command takes `--json` (before or after its name): one JSON document on stdout
instead of tables and bars; errors become `{"error": {...}}`.

GATEWAY_URL and GATEWAY_TOKEN (or GATEWAY_ADMIN_TOKEN) come from the environment or
--url / --token. Exit status: 0 done, 1 the batch had failures (or, for `reconcile` and
`connection`, something to look at), 2 usage, API or connection error. Errors are one line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Sequence

from rich.console import Console
from rich.table import Table

from services.gateway.cli import batch_commands, reconcile, reports
from services.gateway.cli.client import GatewayClient
from services.gateway.cli.output import emit_json, report_error

Command = Callable[[GatewayClient, argparse.Namespace, Console], Awaitable[int]]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="syncctl", description="MediaOS → QuickBooks sync")
    parser.add_argument("--url", default=os.environ.get("GATEWAY_URL", "http://127.0.0.1:8080"))
    parser.add_argument(
        "--token",
        default=os.environ.get("GATEWAY_TOKEN") or os.environ.get("GATEWAY_ADMIN_TOKEN"),
        help="bearer token (default: $GATEWAY_TOKEN, then $GATEWAY_ADMIN_TOKEN)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    commands = parser.add_subparsers(dest="command", required=True)
    batch_commands.add_batch_commands(commands)
    status = commands.add_parser("status", help="an invoice's QuickBooks sync status")
    status.add_argument("--tenant", required=True)
    status.add_argument("invoice_id", metavar="INVOICE")
    reconcile.add_parser(commands)
    reports.add_report_commands(commands)
    for sub in commands.choices.values():
        sub.add_argument(
            "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
        )
    return parser


async def _status(client: GatewayClient, args: argparse.Namespace, console: Console) -> int:
    body = await client.sync_status(args.tenant, args.invoice_id)
    if args.json:
        emit_json(body)
        return 0
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


async def _watch(client: GatewayClient, args: argparse.Namespace, console: Console) -> int:
    return await batch_commands.follow(client, args, args.tenant, args.batch_id, console)


_COMMANDS: dict[str, Command] = {
    "push": batch_commands.push,
    "retry": batch_commands.retry,
    "watch": _watch,
    "failed": batch_commands.failed,
    "status": _status,
    "inbox": reports.inbox,
    "batches": reports.batches,
    "connection": reports.connection,
    "ops": reports.ops,
}


async def _run(args: argparse.Namespace, console: Console) -> int:
    if args.command == "reconcile":
        return await reconcile.reconcile(args, console)
    client = GatewayClient(args.url, args.token)
    try:
        return await _COMMANDS[args.command](client, args, console)
    finally:
        await client.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # With --json, anything human (prompts, warnings) goes to stderr, stdout stays JSON.
    console = Console(stderr=args.json)
    if not args.token:
        report_error(
            RuntimeError("No token: set GATEWAY_TOKEN or pass --token."), as_json=args.json
        )
        return 2
    if args.command in ("push", "retry") and not batch_commands.confirmed(args, console):
        console.print("Nothing sent.")
        return 2
    try:
        return asyncio.run(_run(args, console))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one line, never a traceback
        report_error(exc, as_json=args.json)
        return 2


if __name__ == "__main__":
    sys.exit(main())
