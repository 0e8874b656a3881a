"""`make demo`: One-Way Push end to end on the real stack, as a MediaOS user would see it.

A media company connects QuickBooks, turns on "Manual Push - Disabled Two Way Sync", maps
two of its three products, and sends 24 invoices with the Send to QuickBooks batch action
(`syncctl`, through the gateway's API). Two invoices use the unmapped product and fail with
a precise error; once the product is mapped they are sent too. Then an invoice whose number
QuickBooks already holds fails as a duplicate; once a number prefix is set, Retry sends the
corrected invoice. Every step talks to real processes: Kafka, PostgreSQL, the sync worker,
the gateway and the QuickBooks sandbox.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import uuid

import httpx

from deploy.local import stack
from deploy.local.stack_api import how_to_reach, ops_page_url, publish, say, wait_until_connected
from services.contract.settings import ProductMappingChanged, SettingsChanged
from services.contract.topics import Topic, invoice_key, tenant_key
from tests.support.factories import invoice_created

PRODUCTS = {"P-DISPLAY": "Display Ad", "P-NEWS": "Newsletter Sponsorship"}
UNMAPPED = "P-PODCAST"


def syncctl(env: dict[str, str], *args: str) -> int:
    return subprocess.call(
        [sys.executable, "-m", "services.gateway.cli", *args],
        env={**env, "PYTHONUNBUFFERED": "1", "COLUMNS": "100"},
    )


async def prepare(env: dict[str, str], tenant: str) -> tuple[str, str, list[str]]:
    admin = {"Authorization": f"Bearer {env['GATEWAY_ADMIN_TOKEN']}"}
    async with httpx.AsyncClient(timeout=10) as http:
        say("A QuickBooks company exists (sandbox) with three products as items")
        realm = (
            await http.post(
                f"{env['QBO_SANDBOX_URL']}/_sandbox/realms",
                json={
                    "items": [
                        {"name": "Display Ad", "unit_price": "100.00"},
                        {"name": "Newsletter Sponsorship", "unit_price": "250.00"},
                        {"name": "Podcast Spot", "unit_price": "400.00"},
                    ]
                },
            )
        ).json()
        items = {i["Name"]: i["Id"] for i in realm["items"]}
        print(f"realm {realm['realm_id']}: {items}")

        say(f"Connect tenant {tenant}: PUT /v1/tenants/{tenant}/quickbooks-connection")
        response = await http.put(
            f"{env['GATEWAY_URL']}/v1/tenants/{tenant}/quickbooks-connection",
            json={"realm_id": realm["realm_id"], "refresh_token": realm["refresh_token"]},
            headers=admin,
        )
        print(response.status_code, response.json())
    await wait_until_connected(env, tenant)

    say('MediaOS: System Settings > "Manual Push - Disabled Two Way Sync" on, no number prefix')
    await publish(
        env,
        Topic.SETTINGS,
        [
            (
                tenant_key(tenant),
                SettingsChanged(tenant_id=tenant, manual_push=True),
            ),
            *(
                (
                    tenant_key(tenant),
                    ProductMappingChanged(
                        tenant_id=tenant,
                        product_id=pid,
                        product_name=name,
                        quickbooks_item_id=items[name],
                    ),
                )
                for pid, name in PRODUCTS.items()
            ),
        ],
    )
    print(f"mapped: {PRODUCTS}; {UNMAPPED} (Podcast Spot) is NOT mapped yet")

    say("MediaOS publishes 24 invoices (nothing syncs automatically in One-Way Push)")
    events = [
        invoice_created(
            tenant,
            number=str(2000 + n),
            products=(UNMAPPED,) if n in (5, 17) else (("P-DISPLAY",) if n % 2 else ("P-NEWS",)),
            customer=("Acme Media", "Northwind Radio", "Contoso Outdoor")[n % 3],
        )
        for n in range(24)
    ]
    await publish(
        env,
        Topic.INVOICES,
        [(invoice_key(tenant, e.invoice.invoice_id), e) for e in events],
    )
    await asyncio.sleep(2)  # let the worker record the snapshots
    return realm["realm_id"], items["Podcast Spot"], [e.invoice.invoice_id for e in events]


async def map_podcast(env: dict[str, str], tenant: str, item_id: str) -> None:
    await publish(
        env,
        Topic.SETTINGS,
        [
            (
                tenant_key(tenant),
                ProductMappingChanged(
                    tenant_id=tenant,
                    product_id=UNMAPPED,
                    product_name="Podcast Spot",
                    quickbooks_item_id=item_id,
                ),
            )
        ],
    )
    await asyncio.sleep(1)


async def send_batch(env: dict[str, str], tenant: str, invoice_ids: list[str]) -> tuple[str, str]:
    """(batch id, progress-window link)."""
    headers = {"Authorization": f"Bearer {env['GATEWAY_ADMIN_TOKEN']}"}
    url = f"{env['GATEWAY_URL']}/v1/tenants/{tenant}/push-batches"
    async with httpx.AsyncClient(headers=headers, timeout=10) as http:
        unconfirmed = await http.post(url, json={"invoice_ids": invoice_ids})
        print(
            f"POST without confirmation -> {unconfirmed.status_code}: "
            f"{unconfirmed.json().get('warning')}"
        )
        accepted = await http.post(
            url, json={"invoice_ids": invoice_ids, "confirm_overwrite": True}
        )
        body = accepted.json()
        print(f"POST with confirm_overwrite -> {accepted.status_code}: batch {body['batch_id']}")
        print(f"progress window: {body['links']['page']}")
        return str(body["batch_id"]), str(body["links"]["page"])


async def retry_failed(env: dict[str, str], tenant: str, batch_id: str) -> str:
    headers = {"Authorization": f"Bearer {env['GATEWAY_ADMIN_TOKEN']}"}
    async with httpx.AsyncClient(headers=headers, timeout=10) as http:
        response = await http.post(
            f"{env['GATEWAY_URL']}/v1/tenants/{tenant}/push-batches/{batch_id}/retry-failed",
            json={"confirm_overwrite": True},
        )
        body = response.json()
        print(
            f"POST retry-failed -> {response.status_code}: new batch {body['batch_id']} "
            f"({body['total']} invoices)"
        )
        return str(body["batch_id"])


async def colliding_invoice(env: dict[str, str], tenant: str) -> str:
    """A second brand's invoice whose number QuickBooks already holds (2003)."""
    event = invoice_created(tenant, number="2003", products=("P-DISPLAY",), customer="Fabrikam")
    await publish(env, Topic.INVOICES, [(invoice_key(tenant, event.invoice.invoice_id), event)])
    await asyncio.sleep(2)
    return event.invoice.invoice_id


async def set_prefix(env: dict[str, str], tenant: str, prefix: str) -> None:
    event = SettingsChanged(tenant_id=tenant, invoice_number_prefix=prefix)
    await publish(env, Topic.SETTINGS, [(tenant_key(tenant), event)])
    await asyncio.sleep(2)


async def quickbooks_invoices(env: dict[str, str], realm_id: str) -> list[dict[str, object]]:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"{env['QBO_SANDBOX_URL']}/_sandbox/realms/{realm_id}/invoices")
        invoices: list[dict[str, object]] = response.json()["invoices"]
        return [i for i in invoices if not i.get("deleted")]


def _what_next(env: dict[str, str], tenant: str, first_page: str, *, keep: bool) -> None:
    if not keep:
        print("Tip: `make demo KEEP=1` leaves the stack running with this tenant to explore.")
        return
    say(f"The stack keeps running (KEEP=1); tenant {tenant} and its batches stay there")
    print(f"progress window of the first batch (valid 1 hour): {first_page}")
    print(how_to_reach(env, asyncio.run(ops_page_url(env))))
    print(f"try          syncctl batches --tenant {tenant}")
    print(f"             syncctl reconcile --tenant {tenant}")
    print("more data    make seed   (a tenant whose invoices wait for a push)")


def run(env: dict[str, str], *, keep: bool = False) -> int:
    tenant = f"demo-{uuid.uuid4().hex[:6]}"
    realm_id, podcast_item, invoice_ids = asyncio.run(prepare(env, tenant))

    say("Accounting > select all > Batch Actions > Send to QuickBooks (gateway API)")
    batch_id, first_page = asyncio.run(send_batch(env, tenant, invoice_ids))
    say("The progress window, in a terminal: syncctl watch")
    first = syncctl(env, "watch", "--tenant", tenant, batch_id)
    say("Its errors: syncctl failed")
    syncctl(env, "failed", "--tenant", tenant, batch_id)

    say("Map Podcast Spot to its QuickBooks item, then Retry failed")
    asyncio.run(map_podcast(env, tenant, podcast_item))
    retry_id = asyncio.run(retry_failed(env, tenant, batch_id))
    second = syncctl(env, "watch", "--tenant", tenant, retry_id)

    say("External Number column: syncctl status")
    syncctl(env, "status", "--tenant", tenant, invoice_ids[0])

    say("A second brand's invoice 2003 collides with the number QuickBooks already holds")
    collision = asyncio.run(colliding_invoice(env, tenant))
    clash_batch, _ = asyncio.run(send_batch(env, tenant, [collision]))
    third = syncctl(env, "watch", "--tenant", tenant, clash_batch)
    syncctl(env, "failed", "--tenant", tenant, clash_batch)
    say('Corrective action: System Settings > invoice number prefix "B-", then Retry failed')
    asyncio.run(set_prefix(env, tenant, "B-"))
    fixed_batch = asyncio.run(retry_failed(env, tenant, clash_batch))
    fourth = syncctl(env, "watch", "--tenant", tenant, fixed_batch)

    live = asyncio.run(quickbooks_invoices(env, realm_id))
    numbers = sorted(str(i["DocNumber"]) for i in live)
    print(
        f"QuickBooks now holds {len(live)} invoices: {numbers[0]} .. {numbers[-1]}, "
        f"{len(set(numbers))} distinct numbers"
    )
    ok = (
        (first, second, third, fourth) == (1, 0, 1, 0)
        and len(live) == 25
        and len(set(numbers)) == 25
        and "B-2003" in numbers
    )
    say(
        "Done: 25 invoices in QuickBooks, each exactly once; the 2 with an unmapped product "
        "went through after mapping, and the colliding 2003 went through as B-2003 after "
        "the prefix was set."
        if ok
        else "Unexpected outcome, see above."
    )
    _what_next(env, tenant, first_page, keep=keep)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One-Way Push end to end on the local stack.")
    parser.add_argument(
        "--keep", action="store_true", help="leave the stack running (stop it with make down)"
    )
    keep = parser.parse_args(argv).keep
    say("Starting the local stack (Kafka, PostgreSQL, QuickBooks sandbox, worker, gateway)")
    env = stack.up()
    try:
        return run(env, keep=keep)
    finally:
        if not keep:
            say("Stopping the local stack")
            stack.down()


if __name__ == "__main__":
    sys.exit(main())
