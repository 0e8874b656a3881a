"""Creates queued behind a company's rate limit go out as `/batch` requests against the
sandbox: each invoice exactly once, no 429, fewer requests than invoices, and the per-minute
call budget (one call per item) kept."""

from __future__ import annotations

import asyncio

import pytest

from tests.integration.quickbooks_client.conftest import (
    MakeRealm,
    MakeService,
    new_invoice,
    request_id,
)
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.integration


async def test_a_backlog_of_creates_leaves_in_batches_within_every_limit(
    make_realm: MakeRealm, make_service: MakeService, sandbox_admin: SandboxAdmin, tenant_id: str
) -> None:
    limits = {"per_second": 2, "per_minute": 50}
    realm = await make_realm(limits=limits)
    service = make_service(
        realm, rate_limit_per_second=2, rate_limit_per_minute=50, retry_total_seconds=0
    )
    await service.connect_tenant(tenant_id, realm.realm_id, realm.refresh_token)
    client = await service.client(tenant_id)
    # retry_total_seconds=0: one 429 would fail its creates, so success proves there was none.
    created = await asyncio.gather(
        *(
            client.create_invoice(
                new_invoice(realm, doc_number=f"BT-{n:03d}"),
                request_id=request_id(),
                batchable=True,
            )
            for n in range(45)
        )
    )
    stats = await sandbox_admin.stats(realm.realm_id)
    stored = await sandbox_admin.invoices(realm.realm_id)
    assert sorted(i.doc_number or "" for i in created) == [f"BT-{n:03d}" for n in range(45)]
    assert sorted(i["DocNumber"] for i in stored) == [f"BT-{n:03d}" for n in range(45)]
    assert len({i.id for i in created}) == 45
    assert stats["throttled"] == 0
    assert stats["peak_per_second"] <= 2
    assert stats["peak_per_minute"] <= 50
    batch_requests = sum(stats["requests"].get("batch", {}).values())
    assert batch_requests >= 1 and stats["total_requests"] < 10, stats["requests"]
