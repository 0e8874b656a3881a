"""Following a batch's event stream with a rich progress bar (reconnects with Last-Event-ID).

Started late, it first lists the failures that already happened, then follows the stream;
a failure is shown once whether it came from the list or the stream. A dropped stream is
resumed a bounded number of times in a row, each with a message on stderr.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass, field
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from services.gateway.cli.client import GatewayClient, Unreachable, describe_transport

RECONNECTS = 5
RECONNECT_DELAY = 1.0


def _describe(counts: dict[str, Any]) -> str:
    return (
        f"[green]{counts['succeeded']} succeeded[/] · [red]{counts['failed']} failed[/] · "
        f"[yellow]{counts['skipped']} skipped[/]"
    )


@dataclass
class WatchResult:
    final: dict[str, Any]
    failures: list[dict[str, Any]] = field(default_factory=list)


class _Watch:
    def __init__(self, client: GatewayClient, tenant: str, batch_id: str, bar: Progress | None):
        self.client, self.tenant, self.batch_id, self.bar = client, tenant, batch_id, bar
        self.task = bar.add_task("push", total=None, state="pending", detail="") if bar else None
        self.failures: dict[str, dict[str, Any]] = {}
        self.replayed = False

    def failed(self, invoice: dict[str, Any]) -> None:
        if invoice["invoice_id"] in self.failures:
            return
        self.failures[invoice["invoice_id"]] = invoice
        if self.bar is not None:
            error = invoice.get("error") or {}
            self.bar.console.print(
                f"[red]✗[/] {invoice['invoice_id']}: "
                f"{error.get('code', '')} {error.get('message', '')}"
            )

    async def replay(self) -> None:
        # After the stream's snapshot: anything failing later arrives as an event.
        self.replayed = True
        async for row in self.client.invoices(self.tenant, self.batch_id, status="failed"):
            self.failed(row)

    def show(self, data: dict[str, Any]) -> None:
        counts = data["counts"]
        if self.bar is not None and self.task is not None:
            done = counts["succeeded"] + counts["failed"] + counts["skipped"]
            self.bar.update(
                self.task,
                total=counts["total"],
                completed=done,
                state=data["state"],
                detail=_describe(counts),
            )

    async def follow(self) -> dict[str, Any]:
        last_id: str | None = None
        drops = 0
        while True:
            try:
                async for event in self.client.events(
                    self.tenant, self.batch_id, last_event_id=last_id
                ):
                    drops = 0
                    last_id = event.id or last_id
                    data = json.loads(event.data)
                    self.show(data)
                    if not self.replayed:
                        await self.replay()
                    if event.event == "invoice" and data["invoice"]["status"] == "failed":
                        self.failed(data["invoice"])
                    if event.event == "end":
                        return dict(data)
                reason = "the server closed the stream"
            except httpx.TransportError as exc:
                reason = describe_transport(exc)
            drops += 1
            if drops > RECONNECTS:
                raise Unreachable(
                    f"lost the event stream {RECONNECTS + 1} times in a row ({reason})"
                )
            print(
                f"syncctl: event stream interrupted ({reason}); reconnecting "
                f"({drops}/{RECONNECTS})",
                file=sys.stderr,
            )
            await asyncio.sleep(RECONNECT_DELAY)


async def watch_batch(
    client: GatewayClient, tenant: str, batch_id: str, console: Console | None
) -> WatchResult:
    """Follows the batch to its `end` event; `console=None` draws nothing (for --json)."""
    await client.batch(tenant, batch_id)  # a wrong batch or token fails here, in one line
    if console is None:
        watch = _Watch(client, tenant, batch_id, None)
        final = await watch.follow()
        return WatchResult(final, list(watch.failures.values()))
    columns = (
        TextColumn("[bold]{task.fields[state]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        watch = _Watch(client, tenant, batch_id, bar)
        final = await watch.follow()
    return WatchResult(final, list(watch.failures.values()))
