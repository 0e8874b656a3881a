"""A tenant with everything each documented answer needs: a batch with a failed invoice,
tokens of every role, a page token, a completed reconciliation with a finding, and a
second tenant whose token is out of scope."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

import httpx

from services.contract.common import utc_now
from services.contract.reconciliation import (
    CategoryTotals,
    ReconciliationCategory,
    ReconciliationCompleted,
    ReconciliationFinding,
    ReconciliationPhase,
    ReconciliationProgressed,
)
from services.contract.settings import ConflictPolicy
from services.contract.topics import Topic, tenant_key
from tests.integration.gateway.helpers import (
    ADMIN,
    connect_tenant,
    mint_token,
    settled_batch,
)
from tests.support.factories import new_tenant
from tests.support.kafka import produce_many


@dataclass
class World:
    tenant: str
    spare: str  # connected, then disconnected by the DELETE connection case
    batch: str
    run: str
    tokens: dict[str, str]  # read, push, admin (of `tenant`), page (of `batch`), other
    token_id: str  # a read token of `tenant`, deleted by the DELETE token case

    def bearer(self, name: str | None) -> dict[str, str]:
        if name is None:
            return {}
        token = self.tokens[name] if name != "operator" else ADMIN["Authorization"][7:]
        return {"Authorization": f"Bearer {token}"}


async def _completed_run(client: httpx.AsyncClient, bootstrap: str, tenant: str) -> str:
    started = await client.post(f"/v1/tenants/{tenant}/reconciliations", headers=ADMIN)
    assert started.status_code == 202, started.text
    run = uuid.UUID(started.json()["id"])
    missing = CategoryTotals(
        count=1, mediaos_amount=Decimal("10.00"), quickbooks_amount=Decimal("0")
    )
    finding = ReconciliationFinding(
        category=ReconciliationCategory.MISSING_IN_QUICKBOOKS,
        invoice_id="o-9",
        number="9",
        mediaos_total=Decimal("10.00"),
        reason="never_sent",
    )
    events = [
        ReconciliationProgressed(
            tenant_id=tenant, reconciliation_id=run, phase=ReconciliationPhase.COMPARING,
            invoices_checked=1, invoices_total=1, quickbooks_calls=1, chunk=1,
            findings=[finding],
        ),
        ReconciliationCompleted(
            tenant_id=tenant, reconciliation_id=run, state="completed",
            conflict_policy=ConflictPolicy.REPORT, invoices_total=1,
            categories={ReconciliationCategory.MISSING_IN_QUICKBOOKS: missing}, totals=missing,
            quickbooks_calls=1, finding_chunks=1, started_at=utc_now(),
        ),
    ]  # fmt: skip
    key = tenant_key(tenant)
    await produce_many(bootstrap, Topic.RECONCILIATIONS.value, [(key, e) for e in events])
    deadline = time.monotonic() + 60
    url = f"/v1/tenants/{tenant}/reconciliations/{run}"
    while (await client.get(url, headers=ADMIN)).json()["state"] != "completed":
        assert time.monotonic() < deadline, "the run's report was never consumed"
        await asyncio.sleep(0.25)
    return str(run)


async def build_world(client: httpx.AsyncClient, bootstrap: str) -> World:
    tenant, spare, other = new_tenant(), new_tenant(), new_tenant()
    batch = await settled_batch(client, bootstrap, tenant, {"o-1": "succeeded", "o-2": "failed"})
    await connect_tenant(client, spare)
    tokens = {role: await mint_token(client, tenant, role) for role in ("read", "push", "admin")}
    tokens["other"] = await mint_token(client, other, "admin")
    page = await client.post(f"/v1/tenants/{tenant}/push-batches/{batch}/page-token",
                             headers=ADMIN)  # fmt: skip
    tokens["page"] = page.json()["token"]
    doomed = await client.post(f"/v1/tenants/{tenant}/tokens", json={"role": "read"},
                               headers=ADMIN)  # fmt: skip
    run = await _completed_run(client, bootstrap, tenant)
    return World(tenant, spare, batch, run, tokens, doomed.json()["token_id"])
