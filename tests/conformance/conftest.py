"""Published QuickBooks clients against the sandbox: one realm per test, created through the
sandbox's admin API; the clients themselves only see what Intuit would show them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.environment import QBO_CLIENT_ID, QBO_CLIENT_SECRET


@pytest.fixture
def company(qbo_sandbox_url: str) -> dict[str, Any]:
    """A fresh realm with one item and one customer, plus what a client needs to connect."""
    response = httpx.post(
        f"{qbo_sandbox_url}/_sandbox/realms",
        json={
            "items": [{"name": "Display Ad", "unit_price": 100}],
            "customers": [{"display_name": "Acme Media"}],
            # A client here answers in ~2 ms, not Intuit's ~300 ms, so back-to-back calls
            # would meet the 10/s window that real round trips never reach.
            "limits": {"per_second": 200, "per_minute": 5000},
        },
        timeout=10,
    )
    response.raise_for_status()
    realm: dict[str, Any] = response.json()
    assert realm["client_id"] == QBO_CLIENT_ID
    return {
        **realm,
        "client_secret": QBO_CLIENT_SECRET,
        "base_url": qbo_sandbox_url,
        "discovery_url": f"{qbo_sandbox_url}/.well-known/openid_sandbox_configuration",
    }


def sandbox_invoices(base_url: str, realm_id: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{base_url}/_sandbox/realms/{realm_id}/invoices", timeout=10)
    response.raise_for_status()
    rows: list[dict[str, Any]] = response.json()["invoices"]
    return rows
