"""Talking to a running local stack the way MediaOS and its users would (demo and seed)."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from services.contract.topics import Topic


def say(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def admin(env: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {env['GATEWAY_ADMIN_TOKEN']}"}


async def publish(env: dict[str, str], topic: Topic, items: list[tuple[bytes, BaseModel]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], acks="all")
    await producer.start()
    try:
        for key, event in items:
            await producer.send_and_wait(topic.value, event.model_dump_json().encode(), key=key)
    finally:
        await producer.stop()


async def _wait_for(env: dict[str, str], query: str, *args: object, what: str) -> None:
    conn = await asyncpg.connect(env["DATABASE_URL"])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if await conn.fetchval(query, *args):
                return
            await asyncio.sleep(0.2)
    finally:
        await conn.close()
    raise RuntimeError(f"the worker did not store {what} within 30 s")


async def wait_until_connected(env: dict[str, str], tenant: str) -> None:
    await _wait_for(
        env,
        "SELECT 1 FROM sync_worker.quickbooks_connections WHERE tenant_id = $1",
        tenant,
        what="the QuickBooks connection",
    )


async def wait_until_stored(env: dict[str, str], tenant: str, count: int) -> None:
    await _wait_for(
        env,
        "SELECT count(*) >= $2 FROM sync_worker.invoice_snapshots WHERE tenant_id = $1",
        tenant,
        count,
        what=f"{count} invoices",
    )


async def ops_page_url(env: dict[str, str]) -> str:
    """A fresh link to the ops dashboard (its token lasts GATEWAY_PAGE_TOKEN_TTL_SECONDS)."""
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(f"{env['GATEWAY_URL']}/v1/ops/page-token", headers=admin(env))
        response.raise_for_status()
        return str(response.json()["page"])


def how_to_reach(env: dict[str, str], ops_page: str) -> str:
    return "\n".join(
        [
            f"gateway      {env['GATEWAY_URL']}  (API docs: {env['GATEWAY_URL']}/docs)",
            f"ops page     {ops_page}",
            f"sandbox      {env['QBO_SANDBOX_URL']}  (the local QuickBooks look-alike)",
            "environment  set -a; . .local/stack.env; set +a   (then syncctl works)",
            "logs         .local/logs/",
            "stop it      make down",
        ]
    )
