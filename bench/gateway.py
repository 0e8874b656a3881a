"""4. Gateway: result event on Kafka -> `invoice` event on a client's SSE stream
(`GET /v1/tenants/{t}/push-batches/{batch_id}/events`), at a steady result rate."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from bench.common import summary, table, write_json
from bench.procstat import ProcMeter
from bench.stack import BenchStack
from services.contract.results import InvoiceSyncSucceeded, Operation, Trigger
from services.contract.topics import Topic, invoice_key
from tests.support.factories import new_tenant

RATE = 200.0  # results per second
CLIENTS = (1, 10, 100)  # SSE readers of one batch per round


class SseClient:
    """Reads one event stream; records when each `invoice` event arrives."""

    def __init__(self, http: httpx.AsyncClient, url: str) -> None:
        self.http = http
        self.url = url
        self.arrivals: dict[str, float] = {}
        self.snapshot = asyncio.Event()
        self.ended = asyncio.Event()
        self.events = 0
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async with self.http.stream("GET", self.url, timeout=None) as response:
            response.raise_for_status()
            pending = ""
            # Whole events are split on the blank line: cheap enough that 100 readers in
            # this process do not themselves become the latency being measured.
            async for text in response.aiter_text():
                at = time.perf_counter()
                blocks = (pending + text).split("\n\n")
                pending = blocks.pop()
                for block in blocks:
                    if self._dispatch(block, at):
                        return

    def _dispatch(self, block: str, at: float) -> bool:
        """Records one event; True once it was `end`."""
        event: str | None = None
        data: list[str] = []
        for line in block.split("\n"):
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if not data:
            return False
        self.events += 1
        if event == "snapshot":
            self.snapshot.set()
        elif event == "invoice":
            invoice_id = json.loads("\n".join(data))["invoice"]["invoice_id"]
            self.arrivals.setdefault(invoice_id, at)
        elif event == "end":
            self.ended.set()
            return True
        return False


async def one_round(
    stack: BenchStack, http: httpx.AsyncClient, *, results: int, clients: int
) -> dict[str, Any]:
    tenant = new_tenant()
    ids = [f"inv-{uuid.uuid4().hex[:12]}" for _ in range(results)]
    # Pushes of a tenant the gateway does not know as connected answer 409.
    realm = str(uuid.uuid5(uuid.NAMESPACE_URL, tenant).int % 10**16)
    connected = await http.put(
        f"/v1/tenants/{tenant}/quickbooks-connection",
        json={"realm_id": realm, "refresh_token": "rt-for-bench"},
    )
    connected.raise_for_status()
    response = await http.post(
        f"/v1/tenants/{tenant}/push-batches",
        json={"invoice_ids": ids, "confirm_overwrite": True, "requested_by": "bench"},
    )
    response.raise_for_status()
    batch_id = response.json()["batch_id"]
    url = f"/v1/tenants/{tenant}/push-batches/{batch_id}/events"
    readers = [SseClient(http, url) for _ in range(clients)]
    for r in readers:
        r.start()
    await asyncio.wait_for(asyncio.gather(*(r.snapshot.wait() for r in readers)), 30)

    payloads = []
    for i, invoice_id in enumerate(ids):
        event = InvoiceSyncSucceeded(
            tenant_id=tenant,
            invoice_id=invoice_id,
            invoice_version=1,
            batch_id=uuid.UUID(batch_id),
            batch_size=results,
            trigger=Trigger.PUSH,
            operation=Operation.CREATE,
            external_id=str(1000 + i),
            external_number=f"G{i:06d}",
        )
        payloads.append(
            (invoice_id, invoice_key(tenant, invoice_id), event.model_dump_json().encode())
        )

    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap, acks="all", linger_ms=0)
    await producer.start()
    assert stack.gateway is not None
    meter = ProcMeter("gateway", stack.gateway.pid)
    meter.start()
    sent: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        for i, (invoice_id, key, value) in enumerate(payloads):
            delay = t0 + i / RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sent[invoice_id] = time.perf_counter()
            await producer.send(Topic.RESULTS.value, value, key=key)
        await producer.flush()
        publish_s = time.perf_counter() - t0
        await asyncio.wait_for(asyncio.gather(*(r.ended.wait() for r in readers)), 120)
        resources = meter.stop()
    finally:
        await producer.stop()
        for r in readers:
            if r.task is not None and not r.task.done():
                r.task.cancel()
    latencies = [r.arrivals[i] - sent[i] for r in readers for i in ids if i in r.arrivals]
    delivered = sum(len(r.arrivals) for r in readers)
    cpu = float(resources["cpu_seconds"])  # type: ignore[arg-type]
    return {
        "results": results,
        "clients": clients,
        "target_rate_per_second": RATE,
        "achieved_rate_per_second": results / publish_s,
        "delivered_invoice_events": delivered,
        "expected_invoice_events": results * clients,
        "latency_seconds": summary(latencies),
        "gateway_resources": resources,
        "gateway_cpu_seconds_per_1000_results": cpu / results * 1000,
    }


async def run(stack: BenchStack, *, quick: bool) -> dict[str, Any]:
    results = 600 if quick else 2000
    # The worker would take the batch's push.requested and publish its own (INVOICE_UNKNOWN)
    # results for these made-up invoices; only the gateway may see this workload.
    stack.stop_worker()
    headers = {"Authorization": f"Bearer {stack.admin_token}"}
    rounds = []
    limits = httpx.Limits(max_connections=max(CLIENTS) + 10, max_keepalive_connections=20)
    async with httpx.AsyncClient(
        base_url=stack.gateway_url, headers=headers, timeout=30, limits=limits
    ) as http:
        for clients in CLIENTS:
            print(
                f"gateway: {results} results at {RATE:.0f}/s, {clients} SSE client(s) ...",
                flush=True,
            )
            rounds.append(await one_round(stack, http, results=results, clients=clients))
    rows = [
        (
            r["clients"],
            r["results"],
            r["achieved_rate_per_second"],
            f"{r['delivered_invoice_events']}/{r['expected_invoice_events']}",
            r["latency_seconds"]["p50"] * 1000,
            r["latency_seconds"]["p90"] * 1000,
            r["latency_seconds"]["p99"] * 1000,
            r["latency_seconds"]["max"] * 1000,
            r["gateway_cpu_seconds_per_1000_results"],
        )
        for r in rounds
    ]
    print(
        table(
            f"4. Gateway: result event -> SSE client latency at {RATE:.0f} results/s",
            rows,
            [
                "SSE clients",
                "results",
                "rate/s",
                "delivered",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "max ms",
                "gw CPU s/1k",
            ],
        )
    )
    result = {
        "rounds": rounds,
        "route": "GET /v1/tenants/{t}/push-batches/{batch_id}/events",
        "batch_created_with": "POST /v1/tenants/{t}/push-batches (confirm_overwrite)",
    }
    result["json"] = write_json("gateway_sse", result)
    return result
