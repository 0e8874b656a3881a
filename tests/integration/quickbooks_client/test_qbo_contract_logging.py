"""No token, in clear, ever reaches a log line, an exception or a repr."""

from __future__ import annotations

import logging

import asyncpg
import pytest
from structlog.testing import capture_logs

from services.platform.crypto import TokenCipher
from services.sync_worker.quickbooks import QuickBooksError
from tests.integration.quickbooks_client.conftest import (
    ENCRYPTION_KEY,
    MakeService,
    SandboxRealm,
    new_invoice,
    request_id,
)
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.integration


async def test_tokens_never_appear_in_logs_errors_or_reprs(
    realm: SandboxRealm,
    make_service: MakeService,
    sandbox_admin: SandboxAdmin,
    worker_pg_pool: asyncpg.Pool,
    tenant_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    service = make_service(realm)
    with capture_logs() as events:
        await service.connect_tenant(tenant_id, realm.realm_id, realm.refresh_token)
        client = await service.client(tenant_id)
        await client.get_item(realm.item_id)
        await sandbox_admin.expire_access_tokens(realm.realm_id)
        await sandbox_admin.add_fault(realm.realm_id, kind="throttle", count=1, xml=True)
        await client.create_invoice(new_invoice(realm), request_id=request_id())
        with pytest.raises(QuickBooksError) as caught:
            await client.get_invoice("55555")
        texts += [str(caught.value), repr(caught.value), repr(caught.value.details)]
        texts += [repr(service), repr(client), repr(await service.get_connection(tenant_id))]

        broken_tenant = f"{tenant_id}-broken"
        await service.connect_tenant(broken_tenant, realm.realm_id, "RT1-bogus-secret-value")
        with pytest.raises(QuickBooksError) as auth_failure:
            await (await service.client(broken_tenant)).get_item(realm.item_id)
        texts += [str(auth_failure.value), repr(auth_failure.value)]

    row = await worker_pg_pool.fetchrow(
        "SELECT refresh_token_enc, access_token_enc FROM quickbooks_connections"
        " WHERE tenant_id = $1",
        tenant_id,
    )
    assert row is not None
    cipher = TokenCipher([ENCRYPTION_KEY])
    secrets = [
        realm.refresh_token,
        realm.client_secret,
        "RT1-bogus-secret-value",
        cipher.decrypt(row["refresh_token_enc"]).get_secret_value(),
        cipher.decrypt(row["access_token_enc"]).get_secret_value(),
    ]
    assert secrets[3] != realm.refresh_token  # a rotation really happened

    texts += [repr(e) for e in events]
    texts += [r.getMessage() for r in caplog.records] + [repr(r.__dict__) for r in caplog.records]
    assert any(e["event"] == "qbo_token_refreshed" for e in events)
    assert any(e["event"] == "qbo_connection_broken" for e in events)
    assert len(texts) > 10
    for secret in secrets:
        leaks = [t for t in texts if secret in t]
        assert leaks == [], f"token material leaked into {len(leaks)} log/repr texts"
