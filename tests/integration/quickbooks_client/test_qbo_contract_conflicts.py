"""Stale SyncToken (5010) handling against the sandbox."""

from __future__ import annotations

import pytest

from services.contract.errors import ErrorCode
from services.sync_worker.quickbooks import QuickBooksClient, QuickBooksStaleObjectError
from tests.integration.quickbooks_client.conftest import (
    SandboxRealm,
    new_invoice,
    request_id,
)
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.integration


async def test_stale_sync_token_is_reported_or_resolved_by_rereading(
    realm: SandboxRealm,
    sandbox_admin: SandboxAdmin,
    client: QuickBooksClient,
) -> None:
    created = await client.create_invoice(new_invoice(realm), request_id=request_id())
    assert created.id is not None

    edit = await sandbox_admin.edit_invoice(
        realm.realm_id, created.id, {"PrivateNote": "edited in QuickBooks"}
    )
    assert edit["Invoice"]["SyncToken"] != created.sync_token

    ours = created.model_copy(update={"private_note": "edited by MediaOS"})
    with pytest.raises(QuickBooksStaleObjectError) as caught:
        await client.update_invoice(ours, request_id=request_id("upd"))
    assert caught.value.code is ErrorCode.QBO_CONFLICT
    assert caught.value.fault_code == "5010"
    assert not caught.value.retryable

    updated = await client.update_invoice(
        ours, request_id=request_id("upd"), on_stale="reread_and_retry"
    )
    assert updated.private_note == "edited by MediaOS"
    current = await client.get_invoice(created.id)
    assert current.private_note == "edited by MediaOS"
    assert current.sync_token == updated.sync_token
    assert int(current.sync_token or 0) >= 2


async def test_sparse_update_with_stale_token_resolves(
    realm: SandboxRealm, client: QuickBooksClient
) -> None:
    created = await client.create_invoice(new_invoice(realm), request_id=request_id())
    assert created.id is not None and created.sync_token is not None
    await client.sparse_update_invoice(
        created.id, created.sync_token, {"PrivateNote": "one"}, request_id=request_id()
    )
    result = await client.sparse_update_invoice(
        created.id,
        created.sync_token,
        {"PrivateNote": "two"},
        request_id=request_id(),
        on_stale="reread_and_retry",
    )
    assert result.private_note == "two"
    assert len(result.sales_lines) == 1
