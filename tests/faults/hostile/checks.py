"""What every hostile case checks afterwards, and small tools to make hostile input."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from tests.faults.hostile.conftest import Stack
from tests.support import tenants
from tests.support.factories import invoice_created


async def bystander_push_completes(stack: Stack, invoices: int = 3) -> bool:
    """A normal push for another tenant, through the API, reaches 100% succeeded."""
    events = [invoice_created(stack.bystander) for _ in range(invoices)]
    await tenants.publish_invoices(stack.bootstrap, stack.pool, events)
    accepted = await stack.api.post(
        f"/v1/tenants/{stack.bystander}/push-batches",
        json={"invoice_ids": [e.invoice.invoice_id for e in events], "confirm_overwrite": True},
    )
    assert accepted.status_code == 202, accepted.text
    return await batch_succeeds(stack.api, accepted.json()["links"]["status"], invoices)


async def batch_succeeds(api: httpx.AsyncClient, status_url: str, total: int) -> bool:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        body = (await api.get(status_url)).json()
        if body["state"] in ("completed", "completed_with_errors", "failed"):
            return bool(body["counts"]["succeeded"] == total)
        await asyncio.sleep(0.5)
    return False


async def produce_at(
    bootstrap: str, topic: str, value: bytes, key: bytes | None, *, max_request: int = 1 << 20
) -> tuple[int, int]:
    """Sends one record and returns its (partition, offset)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", max_request_size=max_request
    )
    await producer.start()
    try:
        meta = await producer.send_and_wait(topic, value, key=key)
        return meta.partition, meta.offset
    finally:
        await producer.stop()


def deep(levels: int = 100_000) -> bytes:
    return b"[" * levels + b"]" * levels


def near_limit(limit: int) -> bytes:
    """Valid JSON just under `limit` bytes that is no event: an array, so the tests' own
    topic readers (which read only JSON objects) never mistake it for one."""
    filler = limit - 4 * 1024
    return b'["invoice.created", "' + b"x" * filler + b'"]'


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def problem(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/problem+json"), (
        response.status_code,
        response.headers.get("content-type"),
        response.text[:300],
    )
    body: dict[str, Any] = response.json()
    return body
