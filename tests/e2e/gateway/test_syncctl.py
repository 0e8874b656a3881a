"""`syncctl` against a real gateway: push and watch, list failures, invoice status."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from deploy.local.processes import free_port
from deploy.local.services import ServiceProcess
from services.contract.errors import ErrorCode
from services.contract.topics import Topic
from tests.integration.gateway.helpers import (
    connect_tenant,
    get_list,
    mint_token,
    settled_batch,
)
from tests.integration.gateway.results import publish_results, result
from tests.support.environment import ADMIN_TOKEN
from tests.support.factories import new_tenant
from tests.support.kafka import TopicReader

pytestmark = pytest.mark.e2e


@pytest.fixture
def url(gateways: list[ServiceProcess]) -> str:
    return gateways[0].url or ""


@pytest.fixture
async def api(url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The first replica's API, to set up what a tenant's `syncctl` then works on."""
    async with httpx.AsyncClient(base_url=url) as client:
        yield client


async def _syncctl(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.gateway.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL,
    )


async def _finish(process: asyncio.subprocess.Process, timeout: float = 60) -> tuple[int, str]:
    output, _ = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, output.decode()


def _cli_env(url: str, token: str, columns: int) -> dict[str, str]:
    """The environment of a tenant's `syncctl`: its own token, never the operator's."""
    env = {**os.environ, "GATEWAY_URL": url, "GATEWAY_TOKEN": token, "COLUMNS": str(columns)}
    env.pop("GATEWAY_ADMIN_TOKEN", None)
    return env


async def test_syncctl_pushes_watches_and_reports(
    url: str, api: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    token = await mint_token(api, tenant, "push")
    await connect_tenant(api, tenant)
    env = {**_cli_env(url, token, columns=160), "TERM": "dumb"}

    refused = await _syncctl(env, "push", "--tenant", tenant, "c-1")
    code, output = await _finish(refused)  # no --yes and no answer on stdin: nothing sent
    assert code == 2 and "overwrite any existing QuickBooks data" in output

    async with TopicReader(kafka_bootstrap_servers, Topic.PUSH_REQUESTS) as reader:
        pushing = await _syncctl(env, "push", "--tenant", tenant, "--yes", "c-1", "c-2", "c-3")
        [record] = await reader.wait_for(lambda r: r.json().get("tenant_id") == tenant)
    batch_id = record.json()["batch_id"]
    await asyncio.sleep(1.0)  # let it open the stream and draw the bar
    await publish_results(
        kafka_bootstrap_servers,
        [
            result(tenant, batch_id, "c-1", batch_size=3),
            result(tenant, batch_id, "c-2", "failed", batch_size=3),
            result(tenant, batch_id, "c-3", batch_size=3),
        ],
    )
    code, output = await _finish(pushing)
    assert code == 1, output  # finished, with a failure
    assert batch_id in output
    assert "completed_with_errors: 2 succeeded, 1 failed, 0 skipped" in output
    assert "c-2: PRODUCT_NOT_MAPPED" in output

    code, output = await _finish(await _syncctl(env, "failed", "--tenant", tenant, batch_id))
    assert code == 0 and "c-2" in output and "PRODUCT_NOT_MAPPED" in output and "c-1" not in output

    code, output = await _finish(await _syncctl(env, "status", "--tenant", tenant, "c-1"))
    assert code == 0 and "EXT-c-1" in output

    no_token = {k: v for k, v in env.items() if k != "GATEWAY_TOKEN"}
    code, output = await _finish(await _syncctl(no_token, "status", "--tenant", tenant, "c-1"))
    assert code == 2 and "No token" in output

    other = await _syncctl(env, "status", "--tenant", new_tenant(), "c-1")
    code, output = await _finish(other)
    assert code == 2 and "404" in output


async def test_syncctl_inbox_batches_connection_and_ops(
    url: str, api: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    read = await mint_token(api, tenant, "read")
    statuses = {"s-1": "succeeded", "s-2": "failed"}
    batch = await settled_batch(
        api, kafka_bootstrap_servers, tenant, statuses, code=ErrorCode.QBO_VALIDATION
    )
    for _ in range(200):
        listed = (await get_list(api, tenant, "invoices")).json()
        if {i["status"] for i in listed["items"]} == {"succeeded", "failed"}:
            break
        await asyncio.sleep(0.2)
    env = _cli_env(url, read, columns=200)

    code, output = await _finish(await _syncctl(env, "inbox", "--tenant", tenant))
    assert code == 0 and "s-2" in output and "QBO_VALIDATION" in output and "s-1" not in output
    code, output = await _finish(
        await _syncctl(env, "inbox", "--tenant", tenant, "--status", "all", "--trigger", "push")
    )
    assert code == 0 and "s-1" in output and "s-2" in output
    code, output = await _finish(await _syncctl(env, "batches", "--tenant", tenant))
    assert code == 0 and batch in output and "completed_with_errors" in output
    code, output = await _finish(await _syncctl(env, "connection", "--tenant", tenant))
    assert code == 0 and "connecting" in output
    code, output = await _finish(await _syncctl(env, "connection", "--tenant", new_tenant()))
    assert code == 2 and "404" in output

    code, output = await _finish(await _syncctl(env, "ops"))
    assert code == 2 and "403" in output  # a tenant token may not read the ops view
    operator = {**env, "GATEWAY_TOKEN": env.get("GATEWAY_ADMIN_TOKEN") or ADMIN_TOKEN}
    code, output = await _finish(await _syncctl(operator, "ops"))
    assert code == 0 and "QBO_VALIDATION" in output and "Dead-lettered" in output


def _one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


async def test_syncctl_errors_are_one_line_and_exit_2(
    url: str, api: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    env = _cli_env(url, await mint_token(api, tenant, "push"), columns=80)
    unknown = str(uuid.uuid4())

    bad_token = {**env, "GATEWAY_TOKEN": "mqs_" + "x" * 40}
    code, output = await _finish(await _syncctl(bad_token, "watch", "--tenant", tenant, unknown))
    assert code == 2 and "401" in _one_line(output)

    code, output = await _finish(await _syncctl(env, "watch", "--tenant", tenant, unknown))
    line = _one_line(output)
    assert code == 2 and "404" in line and unknown in line
    code, output = await _finish(await _syncctl(env, "failed", "--tenant", tenant, unknown))
    assert code == 2 and "404" in _one_line(output)

    nowhere = {**env, "GATEWAY_URL": f"http://127.0.0.1:{free_port()}"}
    started = time.monotonic()
    code, output = await _finish(await _syncctl(nowhere, "failed", "--tenant", tenant, unknown))
    line = _one_line(output)
    assert code == 2 and "cannot reach the gateway" in line and "3 attempts" in line
    assert time.monotonic() - started < 15, "a wrong --url must fail within 15 s"
    code, output = await _finish(await _syncctl(nowhere, "watch", "--tenant", tenant, unknown))
    assert code == 2 and "cannot reach the gateway" in _one_line(output)

    code, output = await _finish(
        await _syncctl(env, "--json", "watch", "--tenant", tenant, unknown)
    )
    assert code == 2 and json.loads(output)["error"]["status"] == 404


async def test_syncctl_json_retry_and_late_watch(
    url: str, api: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    env = _cli_env(url, await mint_token(api, tenant, "push"), columns=200)
    statuses = {"j-1": "succeeded", "j-2": "succeeded", "j-3": "failed"}
    batch = await settled_batch(api, kafka_bootstrap_servers, tenant, statuses)

    # Started after everything happened, `watch` still shows the failure.
    code, output = await _finish(await _syncctl(env, "watch", "--tenant", tenant, batch))
    assert code == 1 and "j-3: PRODUCT_NOT_MAPPED" in output, output
    code, output = await _finish(await _syncctl(env, "watch", "--json", "--tenant", tenant, batch))
    watched = json.loads(output)
    assert code == 1 and watched["state"] == "completed_with_errors"
    assert [f["invoice_id"] for f in watched["failed_invoices"]] == ["j-3"]

    code, output = await _finish(await _syncctl(env, "failed", "--json", "--tenant", tenant, batch))
    failed = json.loads(output)
    assert code == 0 and [i["invoice_id"] for i in failed["items"]] == ["j-3"]
    code, output = await _finish(await _syncctl(env, "--json", "batches", "--tenant", tenant))
    assert code == 0 and [b["batch_id"] for b in json.loads(output)["items"]] == [batch]
    code, output = await _finish(await _syncctl(env, "--json", "status", "--tenant", tenant, "j-1"))
    assert code == 0 and json.loads(output)["external_number"] == "EXT-j-1"
    code, output = await _finish(await _syncctl(env, "--json", "connection", "--tenant", tenant))
    assert code == 0 and json.loads(output)["status"] == "connecting"

    code, output = await _finish(await _syncctl(env, "retry", "--tenant", tenant, batch))
    assert code == 2 and "Nothing sent" in output  # no --yes, no answer on stdin
    retry = await _syncctl(env, "retry", "--json", "--yes", "--no-watch", "--tenant", tenant, batch)
    code, output = await _finish(retry)
    accepted = json.loads(output)
    assert code == 0 and accepted["retry_of"] == batch and accepted["total"] == 1
