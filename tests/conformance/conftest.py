"""Published QuickBooks clients against the sandbox: one realm per test, created through the
sandbox's admin API; the clients themselves only see what Intuit would show them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.environment import QBO_CLIENT_ID, QBO_CLIENT_SECRET
from tests.support.sandbox import SandboxAdmin


@pytest.fixture
async def company(sandbox: SandboxAdmin, qbo_sandbox_url: str) -> dict[str, Any]:
    """A fresh realm with one item and one customer, plus what a client needs to connect."""
    realm = await sandbox.create_realm(
        items=[{"name": "Display Ad", "unit_price": 100}],
        customers=[{"display_name": "Acme Media"}],
        # A client here answers in ~2 ms, not Intuit's ~300 ms, so back-to-back calls
        # would meet the 10/s window that real round trips never reach.
        limits={"per_second": 200, "per_minute": 5000},
    )
    assert realm["client_id"] == QBO_CLIENT_ID
    return {
        **realm,
        "client_secret": QBO_CLIENT_SECRET,
        "base_url": qbo_sandbox_url,
        "discovery_url": f"{qbo_sandbox_url}/.well-known/openid_sandbox_configuration",
    }
