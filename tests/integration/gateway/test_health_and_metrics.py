"""Health endpoints are open; /metrics counts requests, results and SSE clients."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.integration.gateway.helpers import ADMIN, push
from tests.integration.gateway.sse import EventCollector
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration


def _sample(text: str, pattern: str) -> float:
    match = re.search(rf"^{pattern} ([0-9.e+]+)$", text, re.MULTILINE)
    assert match, pattern
    return float(match.group(1))


async def test_health_is_open_and_metrics_are_exposed(
    client: httpx.AsyncClient, running_gateway: object
) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert (body["ready"], body["checks"]) == (True, {"postgres": "ok", "kafka": "ok"})
    assert body["details"]["topics"] == {"status": "ok", "drift": []}
    assert (await client.get("/docs")).status_code == 200

    tenant = new_tenant()
    batch_id = (await push(client, tenant, ["m-1"])).json()["batch_id"]
    path = f"/v1/tenants/{tenant}/push-batches/{batch_id}/events"
    async with EventCollector(running_gateway.url, path, headers=ADMIN) as stream:  # type: ignore[attr-defined]
        await stream.wait_for(lambda evs: len(evs) >= 1)
        metrics = (await client.get("/metrics")).text
        assert _sample(metrics, "gateway_sse_clients") >= 1
    pushed = (
        r'gateway_http_requests_total\{method="POST",'
        r'route="/v1/tenants/\{tenant_id\}/push-batches",status="202"\}'
    )
    assert _sample(metrics, pushed) >= 1
    assert "gateway_results_consumed_total" in metrics
    assert batch_id not in metrics  # route templates, not paths
