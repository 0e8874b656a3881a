"""A create whose response is lost after QuickBooks committed it must not duplicate."""

from __future__ import annotations

import pytest

from services.sync_worker.quickbooks import QuickBooksClient
from tests.integration.quickbooks_client.conftest import (
    MakeService,
    SandboxRealm,
    new_invoice,
    request_id,
)
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("mode", ["hang", "abort"])
async def test_retry_after_dropped_create_leaves_one_invoice(
    mode: str,
    realm: SandboxRealm,
    make_service: MakeService,
    sandbox_admin: SandboxAdmin,
    tenant_id: str,
) -> None:
    service = make_service(realm, request_timeout_seconds=1.0)
    await service.connect_tenant(tenant_id, realm.realm_id, realm.refresh_token)
    client = await service.client(tenant_id)
    await sandbox_admin.add_fault(
        realm.realm_id,
        kind="drop_after_commit",
        count=1,
        endpoint="invoice.create",
        mode=mode,
        hang_seconds=5,
    )

    created = await client.create_invoice(
        new_invoice(realm, doc_number="D-1"), request_id=request_id("create")
    )

    stored = [i for i in await sandbox_admin.invoices(realm.realm_id)]
    assert [i["Id"] for i in stored] == [created.id]
    stats = await sandbox_admin.stats(realm.realm_id)
    creates = stats["requests"]["invoice.create"]
    assert sum(creates.values()) == 2  # the dropped attempt and the replayed retry
    assert await client.find_invoices_by_doc_number("D-1") == [created]


async def test_same_request_id_later_replays_instead_of_creating(
    realm: SandboxRealm,
    sandbox_admin: SandboxAdmin,
    client: QuickBooksClient,
) -> None:
    rid = request_id("unit-of-work")
    first = await client.create_invoice(new_invoice(realm), request_id=rid)
    second = await client.create_invoice(new_invoice(realm), request_id=rid)
    third = await client.create_invoice(new_invoice(realm), request_id=request_id("other"))
    assert second.id == first.id
    assert third.id != first.id
    assert len(await sandbox_admin.invoices(realm.realm_id)) == 2
