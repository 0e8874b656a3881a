"""`make seed`: a demo tenant in the running local stack (`make up` or `make demo KEEP=1`).

Creates a QuickBooks company in the sandbox, connects the tenant through the gateway,
turns on One-Way Push, maps two of three products and publishes a dozen invoices, as
MediaOS would. Nothing is sent to QuickBooks until you push. A push token for the tenant
goes to `.local/seed.env` (not printed). Then it prints what to try.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import httpx

from deploy.local import stack
from deploy.local.seed_data import PRODUCTS, UNMAPPED, Seed, build_seed, realm_request
from deploy.local.stack_api import (
    admin,
    how_to_reach,
    ops_page_url,
    publish,
    say,
    wait_until_connected,
    wait_until_stored,
)
from services.contract.topics import Topic, invoice_key, tenant_key

SEED_ENV = stack.LOCAL / "seed.env"


async def _connect(env: dict[str, str], http: httpx.AsyncClient, tenant: str) -> dict[str, str]:
    """A sandbox company with the products as items; returns item name -> Id."""
    created = await http.post(f"{env['QBO_SANDBOX_URL']}/_sandbox/realms", json=realm_request())
    created.raise_for_status()
    realm = created.json()
    connected = await http.put(
        f"{env['GATEWAY_URL']}/v1/tenants/{tenant}/quickbooks-connection",
        json={"realm_id": realm["realm_id"], "refresh_token": realm["refresh_token"]},
        headers=admin(env),
    )
    connected.raise_for_status()
    print(f"tenant {tenant} connected to sandbox company {realm['realm_id']}")
    return {i["Name"]: i["Id"] for i in realm["items"]}


async def _push_token(env: dict[str, str], http: httpx.AsyncClient, tenant: str) -> str:
    minted = await http.post(
        f"{env['GATEWAY_URL']}/v1/tenants/{tenant}/tokens",
        json={"role": "push"},
        headers=admin(env),
    )
    minted.raise_for_status()
    return str(minted.json()["token"])


async def seed(env: dict[str, str], tenant: str, env_file: Path = SEED_ENV) -> Seed:
    """Seeds the stack of `env`; the tenant's push token goes to `env_file`."""
    async with httpx.AsyncClient(timeout=10) as http:
        items = await _connect(env, http, tenant)
        await wait_until_connected(env, tenant)
        plan = build_seed(tenant, items)
        await publish(env, Topic.SETTINGS, [(tenant_key(tenant), e) for e in plan.settings])
        await publish(
            env,
            Topic.INVOICES,
            [(invoice_key(tenant, e.invoice.invoice_id), e) for e in plan.invoices],
        )
        await wait_until_stored(env, tenant, len(plan.invoices))
        token = await _push_token(env, http, tenant)
    await asyncio.to_thread(_save, env_file, f"GATEWAY_TOKEN={token}\nDEMO_TENANT={tenant}\n")
    return plan


def _save(path: Path, text: str) -> None:
    path.touch(mode=0o600)
    path.chmod(0o600)  # before the token is in it
    path.write_text(text)


def what_to_try(plan: Seed) -> str:
    t = plan.tenant_id
    some = " ".join(plan.sendable_ids[:3])
    everything = " ".join(plan.invoice_ids)
    unmapped = PRODUCTS[UNMAPPED][0]
    return "\n".join(
        [
            "set -a; . .local/stack.env; . .local/seed.env; set +a",
            f"syncctl push --tenant {t} {some} --yes     # 3 invoices; prints the progress window",
            f"syncctl push --tenant {t} {everything} --yes",
            f"    # all {len(plan.invoice_ids)}: two fail, their product {unmapped} is not mapped",
            f"syncctl inbox --tenant {t}                 # the latest state of every invoice",
            f"syncctl reconcile --tenant {t}             # MediaOS and QuickBooks, compared",
            f'curl -H "Authorization: Bearer $GATEWAY_TOKEN" '
            f"$GATEWAY_URL/v1/tenants/{t}/push-batches",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenant", default="acme", help="tenant id (default: acme)")
    args = parser.parse_args(argv)
    if not stack.ENV_FILE.exists():
        print("the local stack is not up: run `make up` (or `make demo KEEP=1`) first",
              file=sys.stderr)  # fmt: skip
        return 2
    env = stack.read_env()
    say(f"Seeding tenant {args.tenant}")
    plan = asyncio.run(seed(env, args.tenant))
    print(
        f"{len(plan.invoice_ids)} invoices waiting for a push (One-Way Push), products "
        f"mapped but {PRODUCTS[UNMAPPED][0]}; a push token is in {SEED_ENV.name}"
    )
    say("What to try")
    print(what_to_try(plan))
    say("Where things are")
    print(how_to_reach(env, asyncio.run(ops_page_url(env))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
