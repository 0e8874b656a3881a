"""Following a batch's event stream with a rich progress bar (reconnects with Last-Event-ID)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from services.gateway.cli.client import GatewayClient


def _describe(counts: dict[str, Any]) -> str:
    return (
        f"[green]{counts['succeeded']} succeeded[/] · [red]{counts['failed']} failed[/] · "
        f"[yellow]{counts['skipped']} skipped[/]"
    )


async def watch_batch(
    client: GatewayClient, tenant: str, batch_id: str, console: Console
) -> dict[str, Any]:
    """Returns the final progress (the `end` event)."""
    last_id: str | None = None
    columns = (
        TextColumn("[bold]{task.fields[state]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("push", total=None, state="pending", detail="")
        while True:
            try:
                async for event in client.events(tenant, batch_id, last_event_id=last_id):
                    last_id = event.id or last_id
                    data = json.loads(event.data)
                    counts = data["counts"]
                    done = counts["succeeded"] + counts["failed"] + counts["skipped"]
                    bar.update(
                        task,
                        total=counts["total"],
                        completed=done,
                        state=data["state"],
                        detail=_describe(counts),
                    )
                    if event.event == "invoice" and data["invoice"]["status"] == "failed":
                        error = data["invoice"]["error"] or {}
                        bar.console.print(
                            f"[red]✗[/] {data['invoice']['invoice_id']}: "
                            f"{error.get('code', '')} {error.get('message', '')}"
                        )
                    if event.event == "end":
                        return dict(data)
            except httpx.TransportError:
                pass
            # The server closed or the connection dropped before `end`: resume.
            await asyncio.sleep(1.0)
