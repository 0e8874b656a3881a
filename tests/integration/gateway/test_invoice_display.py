"""Batch invoice rows carry the MediaOS number, customer and amount of their results."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.integration.gateway.helpers import ADMIN, push, wait_for_progress
from tests.integration.gateway.results import publish_results, result
from tests.support.factories import new_tenant

pytestmark = pytest.mark.integration

DISPLAY = {
    "number": "10452",
    "customer_name": "Harbor Lights Radio",
    "amount": Decimal("1250.00"),
    "currency": "USD",
}


async def _rows(client: httpx.AsyncClient, tenant: str, batch_id: str) -> dict[str, Any]:
    response = await client.get(
        f"/v1/tenants/{tenant}/push-batches/{batch_id}/invoices", headers=ADMIN
    )
    assert response.status_code == 200, response.text
    return {row["invoice_id"]: row for row in response.json()["items"]}


async def test_rows_show_number_customer_and_amount_and_keep_them(
    client: httpx.AsyncClient, kafka_bootstrap_servers: str
) -> None:
    tenant = new_tenant()
    batch_id = (await push(client, tenant, ["INV-A", "INV-B"])).json()["batch_id"]
    rows = await _rows(client, tenant, batch_id)
    assert rows["INV-A"]["number"] is None and rows["INV-A"]["amount"] is None

    failed = result(tenant, batch_id, "INV-A", "failed", batch_size=2)
    old_style = result(tenant, batch_id, "INV-B", "succeeded", batch_size=2)
    await publish_results(kafka_bootstrap_servers, [failed.model_copy(update=DISPLAY), old_style])
    await wait_for_progress(client, tenant, batch_id, lambda p: p["counts"]["pending"] == 0)
    rows = await _rows(client, tenant, batch_id)
    shown = {k: rows["INV-A"][k] for k in DISPLAY}
    assert shown == {**DISPLAY, "amount": "1250.00"}
    assert {k: rows["INV-B"][k] for k in DISPLAY} == dict.fromkeys(DISPLAY)  # older producer

    # A later result without them (an older producer) changes the status, not the names.
    later = result(tenant, batch_id, "INV-A", "succeeded", batch_size=2)
    await publish_results(kafka_bootstrap_servers, [later])
    await wait_for_progress(client, tenant, batch_id, lambda p: p["counts"]["failed"] == 0)
    row = (await _rows(client, tenant, batch_id))["INV-A"]
    assert row["status"] == "succeeded" and row["external_number"] == "EXT-INV-A"
    assert {k: row[k] for k in DISPLAY} == {**DISPLAY, "amount": "1250.00"}
