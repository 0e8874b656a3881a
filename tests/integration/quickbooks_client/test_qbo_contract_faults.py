"""Throttles and server errors are retried; permanent faults map to stable codes."""

from __future__ import annotations

from typing import Any

import pytest

from services.contract.errors import ErrorCode
from services.sync_worker.quickbooks import QuickBooksError
from tests.integration.quickbooks_client.conftest import (
    Connect,
    SandboxRealm,
    new_invoice,
    request_id,
)
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("spec", "status"),
    [
        ({"kind": "throttle", "count": 2, "xml": False}, "429"),
        ({"kind": "throttle", "count": 2, "xml": True}, "429"),
        ({"kind": "server_error", "count": 2, "status": 503}, "503"),
        ({"kind": "server_error", "count": 2, "status": 500}, "500"),
    ],
    ids=["429-json", "429-xml", "503", "500"],
)
async def test_transient_faults_are_retried_until_success(
    spec: dict[str, Any],
    status: str,
    realm: SandboxRealm,
    connect: Connect,
    sandbox_admin: SandboxAdmin,
) -> None:
    client = await connect()
    await client.get_item(realm.item_id)  # token obtained before the faults
    await sandbox_admin.add_fault(realm.realm_id, endpoint="invoice.create", **spec)
    created = await client.create_invoice(new_invoice(realm), request_id=request_id())
    assert created.id is not None
    stats = await sandbox_admin.stats(realm.realm_id)
    assert stats["requests"]["invoice.create"].get(status) == 2
    assert len(await sandbox_admin.invoices(realm.realm_id)) == 1


@pytest.mark.parametrize(
    ("fault", "retry_seconds", "code", "http_status", "fault_code"),
    [
        ({"kind": "throttle", "xml": True}, 1.0, ErrorCode.QBO_RATE_LIMITED, 429, "3001"),
        ({"kind": "server_error", "status": 503}, 0.5, ErrorCode.QBO_UNAVAILABLE, 503, None),
    ],
    ids=["throttle-is-rate-limited", "server-error-is-unavailable"],
)
async def test_a_persistent_fault_becomes_a_retryable_error(
    realm: SandboxRealm,
    connect: Connect,
    sandbox_admin: SandboxAdmin,
    fault: dict[str, Any],
    retry_seconds: float,
    code: ErrorCode,
    http_status: int,
    fault_code: str | None,
) -> None:
    client = await connect(retry_total_seconds=retry_seconds)
    await client.get_item(realm.item_id)
    await sandbox_admin.add_fault(realm.realm_id, count=1000, **fault)
    with pytest.raises(QuickBooksError) as caught:
        await client.get_item(realm.item_id)
    assert caught.value.code is code and caught.value.retryable
    assert (caught.value.http_status, caught.value.fault_code) == (http_status, fault_code)


async def test_permanent_faults_map_to_stable_codes(
    realm: SandboxRealm,
    connect: Connect,
    sandbox_admin: SandboxAdmin,
) -> None:
    client = await connect()

    bad_item = new_invoice(realm)
    assert bad_item.line[0].sales_item_line_detail is not None
    bad_item.line[0].sales_item_line_detail.item_ref.value = "99999"
    with pytest.raises(QuickBooksError) as caught:
        await client.create_invoice(bad_item, request_id=request_id())
    assert caught.value.code is ErrorCode.QBO_INVALID_REFERENCE
    assert caught.value.fault_code == "2500" and not caught.value.retryable

    await client.create_invoice(new_invoice(realm, doc_number="DUP-1"), request_id=request_id())
    with pytest.raises(QuickBooksError) as caught:
        await client.create_invoice(new_invoice(realm, doc_number="DUP-1"), request_id=request_id())
    assert caught.value.code is ErrorCode.QBO_DUPLICATE_NUMBER
    assert "prefix" in caught.value.message and not caught.value.retryable

    with pytest.raises(QuickBooksError) as caught:
        await client.get_invoice("987654")
    assert caught.value.code is ErrorCode.QBO_NOT_FOUND and caught.value.fault_code == "610"

    wrong_amount = new_invoice(realm)
    wrong_amount.line[0].amount = wrong_amount.line[0].amount + 1
    with pytest.raises(QuickBooksError) as caught:
        await client.create_invoice(wrong_amount, request_id=request_id())
    assert caught.value.code is ErrorCode.QBO_VALIDATION
    assert caught.value.fault_code == "6070"

    too_long = new_invoice(realm, doc_number="X" * 22)
    with pytest.raises(QuickBooksError) as caught:
        await client.create_invoice(too_long, request_id=request_id())
    assert caught.value.code is ErrorCode.QBO_VALIDATION and caught.value.fault_code == "2050"

    stats = await sandbox_admin.stats(realm.realm_id)
    # Permanent faults are sent once each: 2500, the good DUP-1, the 6140, 6070 and 2050.
    assert sum(stats["requests"]["invoice.create"].values()) == 5
