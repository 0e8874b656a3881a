"""`make demo`: start the stack, send a MediaOS invoice event, watch it reach the gateway.

Every step talks to the real processes: Kafka, PostgreSQL, the sync worker, the gateway.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid

import httpx
from aiokafka import AIOKafkaProducer

from deploy.local import stack
from services.contract.topics import Topic, invoice_key
from tests.support.factories import invoice_created


def say(text: str) -> None:
    print(f"\n==> {text}", flush=True)


async def run(env: dict[str, str]) -> int:
    tenant = f"demo-{uuid.uuid4().hex[:6]}"
    event = invoice_created(tenant, number="1001")
    say(f"MediaOS publishes invoice.created for tenant {tenant} on {Topic.INVOICES.value}")
    print(json.dumps(json.loads(event.model_dump_json()), indent=2)[:900], "...")
    producer = AIOKafkaProducer(bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            Topic.INVOICES.value,
            event.model_dump_json().encode(),
            key=invoice_key(tenant, event.invoice.invoice_id),
        )
    finally:
        await producer.stop()

    say("Waiting for the worker's result to reach the gateway (GET .../sync-status)")
    url = (
        f"{env['GATEWAY_URL']}/v1/tenants/{tenant}/invoices/{event.invoice.invoice_id}/sync-status"
    )
    headers = {"Authorization": f"Bearer {env['GATEWAY_ADMIN_TOKEN']}"}
    started = time.monotonic()
    async with httpx.AsyncClient(headers=headers, timeout=5) as client:
        while time.monotonic() - started < 60:
            response = await client.get(url)
            if response.status_code == 200:
                elapsed = time.monotonic() - started
                print(json.dumps(response.json(), indent=2))
                say(f"MediaOS -> Kafka -> worker -> Kafka -> gateway in {elapsed:.2f}s")
                return 0
            await asyncio.sleep(0.25)
    print("no result reached the gateway within 60s", file=sys.stderr)
    return 1


def main() -> int:
    say("Starting the local stack (Kafka, PostgreSQL, QuickBooks sandbox, worker, gateway)")
    env = stack.up()
    try:
        return asyncio.run(run(env))
    finally:
        say("Stopping the local stack")
        stack.down()


if __name__ == "__main__":
    sys.exit(main())
