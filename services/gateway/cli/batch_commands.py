"""`syncctl push | retry | watch | failed`: send a batch (or its failures again) and follow it."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from services.gateway.batches.model import OVERWRITE_WARNING
from services.gateway.cli.client import GatewayClient
from services.gateway.cli.output import emit_json
from services.gateway.cli.watch import watch_batch


def add_batch_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    push = commands.add_parser("push", help="send invoices and watch the batch")
    push.add_argument("--tenant", required=True)
    push.add_argument("--yes", action="store_true", help="confirm the overwrite warning")
    push.add_argument("--no-watch", action="store_true", help="print the batch id and exit")
    push.add_argument("invoice_ids", nargs="+", metavar="INVOICE")
    retry = commands.add_parser("retry", help="send a batch's failed invoices again")
    retry.add_argument("--tenant", required=True)
    retry.add_argument("--yes", action="store_true", help="confirm the overwrite warning")
    retry.add_argument("--no-watch", action="store_true", help="print the batch id and exit")
    retry.add_argument("batch_id", metavar="BATCH")
    watch = commands.add_parser("watch", help="follow a batch with a progress bar")
    watch.add_argument("--tenant", required=True)
    watch.add_argument("batch_id", metavar="BATCH")
    failed = commands.add_parser("failed", help="list a batch's failed invoices")
    failed.add_argument("--tenant", required=True)
    failed.add_argument("batch_id", metavar="BATCH")


def confirmed(args: argparse.Namespace, console: Console) -> bool:
    """`--yes`, or a "y" typed at the prompt; no terminal to answer from means no."""
    if args.yes:
        return True
    if args.json:  # a prompt would corrupt the JSON on stdout
        console.print("--json needs --yes to send anything.")
        return False
    console.print(f"[yellow]{OVERWRITE_WARNING}[/]")
    what = (
        f"Send {len(args.invoice_ids)} invoice(s)?"
        if args.command == "push"
        else f"Send the failed invoices of {args.batch_id} again?"
    )
    try:
        answer = input(f"{what} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


async def push(client: GatewayClient, args: argparse.Namespace, console: Console) -> int:
    accepted = await client.push(args.tenant, args.invoice_ids, confirm=True)
    return await _accepted(client, args, accepted, console)


async def retry(client: GatewayClient, args: argparse.Namespace, console: Console) -> int:
    accepted = await client.retry_failed(args.tenant, args.batch_id, confirm=True)
    return await _accepted(client, args, accepted, console)


async def _accepted(
    client: GatewayClient, args: argparse.Namespace, accepted: dict[str, Any], console: Console
) -> int:
    batch_id = accepted["batch_id"]
    if args.json and args.no_watch:
        emit_json(accepted)
        return 0
    if not args.json:
        retry_of = f", retrying {accepted['retry_of']}" if accepted.get("retry_of") else ""
        console.print(
            f"Batch [bold]{batch_id}[/] accepted ({accepted['total']} invoices{retry_of})."
        )
        console.print(f"Progress window: {accepted['links']['page']}")
        if args.no_watch:
            return 0
    return await follow(client, args, args.tenant, batch_id, console)


async def follow(
    client: GatewayClient, args: argparse.Namespace, tenant: str, batch_id: str, console: Console
) -> int:
    """Exit status 1 if the batch had failures."""
    watched = await watch_batch(client, tenant, batch_id, None if args.json else console)
    counts = watched.final["counts"]
    if args.json:
        emit_json({**watched.final, "failed_invoices": watched.failures})
        return 1 if counts["failed"] else 0
    console.print(
        f"{watched.final['state']}: {counts['succeeded']} succeeded, {counts['failed']} failed, "
        f"{counts['skipped']} skipped"
    )
    if counts["failed"]:
        console.print(f"See them with: syncctl failed --tenant {tenant} {batch_id}")
        console.print(f"Send them again with: syncctl retry --tenant {tenant} {batch_id}")
        return 1
    return 0


async def failed(client: GatewayClient, args: argparse.Namespace, console: Console) -> int:
    rows = [r async for r in client.invoices(args.tenant, args.batch_id, status="failed")]
    if args.json:
        emit_json({"batch_id": args.batch_id, "items": rows})
        return 0
    table = Table("Invoice", "Error", "Message", title=f"Failed invoices of {args.batch_id}")
    for row in rows:
        error = row["error"] or {}
        table.add_row(row["invoice_id"], error.get("code", ""), error.get("message", ""))
    console.print(table if rows else "No failed invoices.")
    return 0
