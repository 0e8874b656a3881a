"""The gateway under faults: SIGKILL mid-batch (real worker, real QuickBooks sandbox) keeps
progress exact; forged webhooks are refused and nothing is forwarded."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import signal
import time

import asyncpg
import httpx
import pytest

from deploy.local.processes import pid_alive
from deploy.local.services import start_gateway
from services.contract.topics import Topic
from tests.faults.conftest import Replicas
from tests.faults.report import ROWS, ScenarioRow
from tests.support import tenants
from tests.support.environment import ADMIN_TOKEN, WEBHOOK_VERIFIER, log_dir
from tests.support.factories import invoice_created
from tests.support.kafka import TopicReader
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.faults
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


async def test_gateway_sigkill_mid_batch_keeps_counts_exact(
    replicas: Replicas,
    service_env: dict[str, str],
    sandbox: SandboxAdmin,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    replicas.start_all()
    gateway = start_gateway(log_dir(), service_env, name="fault-gateway")
    port = int((gateway.url or "").rsplit(":", 1)[1])
    tenant, realm = await tenants.one_way_push_company(
        kafka_bootstrap_servers,
        worker_pg_pool,
        sandbox,
        limits={"per_minute": 1200, "per_second": 20},
    )
    events = [invoice_created(tenant, number=f"G{i:04d}") for i in range(300)]
    await tenants.publish_invoices(kafka_bootstrap_servers, worker_pg_pool, events)
    await tenants.wait_gateway_connected(worker_pg_pool, tenant)
    kills = 0
    try:
        async with httpx.AsyncClient(base_url=gateway.url or "", headers=ADMIN) as api:
            accepted = await api.post(
                f"/v1/tenants/{tenant}/push-batches",
                json={
                    "invoice_ids": [e.invoice.invoice_id for e in events],
                    "confirm_overwrite": True,
                },
            )
            assert accepted.status_code == 202, accepted.text
            status_path = accepted.json()["links"]["status"]
            deadline = time.monotonic() + 120
            while True:
                progress = (await api.get(status_path)).json()
                done = progress["counts"]["total"] - progress["counts"]["pending"]
                if kills < 2 and done >= 60 * (kills + 1):
                    os.kill(gateway.pid, signal.SIGKILL)
                    while pid_alive(gateway.pid):
                        await asyncio.sleep(0.05)
                    kills += 1
                    await asyncio.sleep(1.0)
                    gateway = await asyncio.to_thread(
                        start_gateway, log_dir(), service_env, port=port, name="fault-gateway"
                    )
                    continue
                if progress["state"] in ("completed", "completed_with_errors"):
                    break
                assert time.monotonic() < deadline, progress
                await asyncio.sleep(0.3)
    finally:
        gateway.stop()
    live = await sandbox.live_invoices(realm["realm_id"])
    counts = progress["counts"]
    ok = (
        kills == 2
        and counts == {"total": 300, "succeeded": 300, "failed": 0, "skipped": 0, "pending": 0}
        and len(live) == 300
    )
    ROWS.append(
        ScenarioRow(
            scenario="gateway SIGKILL mid-batch (real worker)",
            units=300,
            disruptions=f"{kills} SIGKILLs of the gateway",
            results=counts["succeeded"] + counts["failed"] + counts["skipped"],
            lost=300 - len(live),
            duplicates=max(len(live) - 300, 0),
            extra=f"counts={counts['succeeded']}/{counts['failed']}/{counts['skipped']}",
            passed=ok,
        )
    )
    assert kills == 2
    assert counts == {"total": 300, "succeeded": 300, "failed": 0, "skipped": 0, "pending": 0}
    assert len(live) == 300


def _sign(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


async def test_forged_webhooks_are_refused_and_not_forwarded(
    service_env: dict[str, str], kafka_bootstrap_servers: str
) -> None:
    gateway = start_gateway(log_dir(), service_env, name="fault-gateway-webhooks")
    realm_id = f"9{time.time_ns() % 10**12}"
    body = json.dumps(
        {
            "eventNotifications": [
                {
                    "realmId": realm_id,
                    "dataChangeEvent": {
                        "entities": [
                            {
                                "name": "Invoice",
                                "id": "1",
                                "operation": "Update",
                                "lastUpdated": "2026-11-25T10:00:00Z",
                            }
                        ]
                    },
                }
            ]
        }
    ).encode()
    attempts = {
        "unsigned": {},
        "wrong key": {"intuit-signature": _sign(body, "not-the-verifier")},
        "garbage signature": {"intuit-signature": "bm9wZQ=="},
        "signature of another body": {"intuit-signature": _sign(body + b" ", WEBHOOK_VERIFIER)},
    }
    statuses: dict[str, int] = {}
    try:
        async with (
            TopicReader(kafka_bootstrap_servers, Topic.QUICKBOOKS_WEBHOOKS) as forwarded,
            httpx.AsyncClient(base_url=gateway.url or "") as http,
        ):
            for name, headers in attempts.items():
                response = await http.post(
                    "/v1/webhooks/quickbooks",
                    content=body,
                    headers={"content-type": "application/json", **headers},
                )
                statuses[name] = response.status_code
            await forwarded.settle(3.0)
            leaked = [r for r in forwarded.records if realm_id.encode() in r.value]
    finally:
        gateway.stop()
    ok = set(statuses.values()) == {401} and not leaked
    ROWS.append(
        ScenarioRow(
            scenario="forged webhooks",
            units=len(attempts),
            disruptions="unsigned, wrong key, garbage, other body",
            results=sum(1 for s in statuses.values() if s == 401),
            lost=0,
            duplicates=0,
            extra=f"forwarded={len(leaked)}",
            passed=ok,
        )
    )
    assert statuses == dict.fromkeys(attempts, 401)
    assert leaked == []
