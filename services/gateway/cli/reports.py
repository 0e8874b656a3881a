"""`syncctl inbox | batches | connection | ops`: the gateway's lists as terminal tables."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from services.gateway.cli.client import GatewayClient
from services.gateway.cli.output import emit_json


def add_report_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    inbox = commands.add_parser("inbox", help="invoices' latest states (default: failed)")
    inbox.add_argument("--tenant", required=True)
    inbox.add_argument("--status", default="failed", help="failed|succeeded|skipped|pending|all")
    inbox.add_argument("--code", help="only this error code")
    inbox.add_argument("--trigger", choices=("auto", "push"))
    inbox.add_argument("--since", help="only states since this RFC 3339 time")
    inbox.add_argument("--limit", type=int, default=100)
    batches = commands.add_parser("batches", help="the tenant's push batches, newest first")
    batches.add_argument("--tenant", required=True)
    batches.add_argument("--state", help="pending|running|completed|completed_with_errors")
    batches.add_argument("--limit", type=int, default=20)
    connection = commands.add_parser("connection", help="the tenant's QuickBooks connection")
    connection.add_argument("--tenant", required=True)
    commands.add_parser("ops", help="the operator's overview (operator token)")


async def inbox(client: GatewayClient, args: argparse.Namespace, console: Console) -> int:
    params = {
        k: v
        for k, v in (
            ("status", None if args.status == "all" else args.status),
            ("code", args.code),
            ("trigger", args.trigger),
            ("updated_since", args.since),
        )
        if v
    }
    path = f"/v1/tenants/{args.tenant}/invoices"
    rows = [row async for row in client.pages(path, params, limit=args.limit)]
    if args.json:
        emit_json({"items": rows})
        return 0
    table = Table("Invoice", "Status", "Trigger", "Number", "Code", "Message", "Updated")
    for row in rows:
        error = row["error"] or {}
        table.add_row(
            row["invoice_id"],
            row["status"],
            row["trigger"],
            row["external_number"] or "",
            error.get("code", ""),
            error.get("message", ""),
            row["updated_at"],
        )
    console.print(table if table.row_count else "No invoices match.")
    return 0


async def batches(client: GatewayClient, args: argparse.Namespace, console: Console) -> int:
    params = {"state": args.state} if args.state else {}
    path = f"/v1/tenants/{args.tenant}/push-batches"
    rows = [b async for b in client.pages(path, params, limit=args.limit)]
    if args.json:
        emit_json({"items": rows})
        return 0
    table = Table("Batch", "State", "Total", "OK", "Failed", "Skipped", "Retry of", "Started")
    for b in rows:
        c = b["counts"]
        table.add_row(
            b["batch_id"],
            b["state"],
            str(c["total"]),
            str(c["succeeded"]),
            str(c["failed"]),
            str(c["skipped"]),
            b["retry_of"] or "",
            b["started_at"],
        )
    console.print(table if table.row_count else "No batches.")
    return 0


async def connection(client: GatewayClient, args: argparse.Namespace, console: Console) -> int:
    body = await client.connection(args.tenant)
    healthy = body["status"] in ("connected", "connecting")
    if args.json:
        emit_json(body)
        return 0 if healthy else 1
    table = Table(show_header=False, title=f"QuickBooks connection of {args.tenant}")
    for label, key in (
        ("Status", "status"),
        ("Reason", "reason"),
        ("Realm", "realm_id"),
        ("Connected at", "connected_at"),
        ("Refresh token rotated at", "refresh_token_rotated_at"),
        ("Last successful call", "last_successful_call_at"),
    ):
        table.add_row(label, str(body.get(key) or ""))
    console.print(table)
    return 0 if healthy else 1


async def ops(client: GatewayClient, args: argparse.Namespace, console: Console) -> int:
    o = await client.ops_overview()
    if args.json:
        emit_json(o)
        return 0
    states = ", ".join(f"{k} {v}" for k, v in o["connections"]["by_state"].items())
    console.print(f"Tenants: {states}")
    f = o["failures"]
    console.print(f"Failures: {f['last_hour']} last hour, {f['last_day']} last day")
    for code in f["by_code"]:
        console.print(f"  {code['code']}: {code['last_hour']} / {code['last_day']}")
    table = Table("Tenant", "Batch", "State", "%", "Failed", title="Batches in progress")
    for b in o["batches_in_progress"]:
        table.add_row(
            b["tenant_id"], b["batch_id"], b["state"], str(b["percent"]), str(b["counts"]["failed"])
        )
    console.print(table)
    for realm in o["throttled_realms"]:
        console.print(f"Throttled: realm {realm['realm_id']} ({realm['tenant_id']})")
    kafka = o["kafka"]
    if kafka["available"]:
        for group in kafka["consumer_lag"]:
            console.print(f"Lag {group['group']}: {group['total']}")
    console.print(f"Dead-lettered: {kafka['dead_letters']}; parked: {o['parked_messages']}")
    return 0
