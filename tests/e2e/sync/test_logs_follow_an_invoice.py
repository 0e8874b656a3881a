"""One invoice pushed through the gateway's API can be followed through the gateway's and the
worker's log files by its `invoice_id`, from the push request to the unit's single result."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.e2e.sync.conftest import Company
from tests.support import tenants
from tests.support.environment import ADMIN_TOKEN
from tests.support.factories import invoice_created

pytestmark = pytest.mark.e2e

UNIT_FIELDS = ("tenant_id", "batch_id", "invoice_id", "work_item", "attempt")


def json_lines(path: Path, since: int = 0) -> list[dict[str, Any]]:
    """Every line written from byte `since` on, parsed; a line that is not a JSON object
    fails the test. (Log files are appended to by every run and process of the session.)"""
    lines = []
    with path.open("rb") as log:
        log.seek(since)
        written = log.read().decode("utf-8")
    for number, text in enumerate(written.splitlines(), start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
        except ValueError:
            pytest.fail(f"{path.name}:{number} is not JSON: {text[:200]}")
        assert isinstance(line, dict), f"{path.name}:{number} is not a JSON object"
        lines.append(line)
    return lines


async def push_and_wait(base_url: str, tenant: str, invoice_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as api:
        accepted = await api.post(
            f"/v1/tenants/{tenant}/push-batches",
            json={"invoice_ids": [invoice_id], "confirm_overwrite": True},
        )
        assert accepted.status_code == 202, accepted.text
        status_url = accepted.json()["links"]["status"]
        deadline = time.monotonic() + 60
        while True:
            progress: dict[str, Any] = (await api.get(status_url)).json()
            if progress["state"] in ("completed", "completed_with_errors"):
                return {**progress, "batch_id": accepted.json()["batch_id"]}
            assert time.monotonic() < deadline, progress
            await asyncio.sleep(0.3)


async def wait_for_line(path: Path, event: str, invoice_id: str, since: int) -> None:
    """The worker writes its result line after the commit the API already reports."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if any(
            line.get("event") == event and line.get("invoice_id") == invoice_id
            for line in json_lines(path, since)
        ):
            return
        await asyncio.sleep(0.2)


async def test_one_invoice_is_followed_from_the_push_request_to_its_result(
    company: Company,
    running_worker: Any,
    running_gateway: Any,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    tenant = company.tenant_id
    since = {p: p.stat().st_size for p in (running_worker.log_file, running_gateway.log_file)}
    await tenants.change_settings(kafka_bootstrap_servers, worker_pg_pool, tenant, manual_push=True)
    event = invoice_created(tenant, number="LOG001")
    await tenants.publish_invoices(kafka_bootstrap_servers, worker_pg_pool, [event])
    invoice_id = event.invoice.invoice_id
    await tenants.wait_gateway_connected(worker_pg_pool, tenant)

    progress = await push_and_wait(running_gateway.url, tenant, invoice_id)
    assert progress["state"] == "completed", progress
    batch_id = str(progress["batch_id"])
    worker_log = running_worker.log_file
    await wait_for_line(worker_log, "unit_finished", invoice_id, since[worker_log])

    gateway_lines = json_lines(running_gateway.log_file, since[running_gateway.log_file])
    accepted = [
        line
        for line in gateway_lines
        if line.get("event") == "push_batch_accepted" and invoice_id in line["invoice_ids"]
    ]
    assert len(accepted) == 1
    assert accepted[0]["batch_id"] == batch_id
    assert accepted[0]["tenant_id"] == tenant
    assert accepted[0]["request_id"]

    unit_lines = [
        line
        for line in json_lines(worker_log, since[worker_log])
        if line.get("invoice_id") == invoice_id
    ]
    assert unit_lines, "the worker logged nothing for the invoice"
    for line in unit_lines:
        missing = [name for name in UNIT_FIELDS if line.get(name) is None]
        assert not missing, f"{line['event']} lacks {missing}"
        assert line["tenant_id"] == tenant
        assert line["batch_id"] == batch_id
    calls = [line for line in unit_lines if line["event"] == "qbo_call" and line.get("requestid")]
    assert calls, "no QuickBooks call of the unit names its requestid"
    assert all("intuit_tid" in line for line in calls)
    finished = [line for line in unit_lines if line["event"] == "unit_finished"]
    assert len(finished) == 1
    assert finished[0]["result"] == "succeeded"
