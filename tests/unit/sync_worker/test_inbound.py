"""Inbound decisions with fakes: the echo rule, in-flight writes, deletions, the CDC cursor."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.contract.errors import ErrorCode
from services.sync_worker.quickbooks import DeletedObject, InvoiceChanges, QuickBooksError
from services.sync_worker.sync.completion import LedgerStatus, UnitKind
from services.sync_worker.sync.inbound import Inbound, InboundPolicy
from services.sync_worker.sync.outbound import Outbound, OutboundPolicy
from services.sync_worker.tenants.model import TenantSettings
from tests.support.factories import invoice_snapshot
from tests.unit.sync_worker.fakes import FakeQuickBooks, FakeStore, unit

INVOICE = "inv-1"


@pytest.fixture
async def synced() -> tuple[FakeStore, FakeQuickBooks, str]:
    """An invoice the worker created in QuickBooks (two-way mode)."""
    store, qbo = FakeStore(), FakeQuickBooks()
    store.put(invoice_snapshot(INVOICE, number="1001"))
    store.apply(await Outbound(store, qbo, OutboundPolicy()).run(unit(UnitKind.AUTO, INVOICE)))
    [external_id] = qbo.invoices
    return store, qbo, external_id


def _inbound(store: FakeStore, qbo: FakeQuickBooks) -> Inbound:
    return Inbound(store, qbo, InboundPolicy())


def _webhook(external_id: str, operation: str = "Update") -> object:
    return unit(UnitKind.WEBHOOK, payload={"external_id": external_id, "operation": operation})


async def test_our_own_write_is_not_echoed(synced: tuple[FakeStore, FakeQuickBooks, str]) -> None:
    store, qbo, external_id = synced
    completion = await _inbound(store, qbo).webhook(_webhook(external_id))  # type: ignore[arg-type]
    assert str(completion.outcome) == "ignored:own_or_known_change"
    assert completion.inbound == []


async def test_a_quickbooks_edit_is_published_once_with_its_token(
    synced: tuple[FakeStore, FakeQuickBooks, str],
) -> None:
    store, qbo, external_id = synced
    edited = qbo.edit_in_quickbooks(external_id, doc_number="QB-1")
    completion = await _inbound(store, qbo).webhook(_webhook(external_id))  # type: ignore[arg-type]
    assert str(completion.outcome) == "published:changed"
    [change] = completion.inbound
    assert change.sync_token == edited.sync_token
    assert json.loads(change.message.value)["external_number"] == "QB-1"
    store.ledger[INVOICE] = replace(store.ledger[INVOICE], last_inbound_token=edited.sync_token)
    again = await _inbound(store, qbo).webhook(_webhook(external_id))  # type: ignore[arg-type]
    assert again.inbound == []


async def test_a_change_during_our_own_write_waits(
    synced: tuple[FakeStore, FakeQuickBooks, str],
) -> None:
    store, qbo, external_id = synced
    store.in_flight.add(INVOICE)
    completion = await _inbound(store, qbo).webhook(_webhook(external_id))  # type: ignore[arg-type]
    assert completion.retry is not None and not completion.retry.counts_as_attempt


async def test_deletion_and_one_way_mode(synced: tuple[FakeStore, FakeQuickBooks, str]) -> None:
    store, qbo, external_id = synced
    deleted = await _inbound(store, qbo).webhook(_webhook(external_id, "Delete"))  # type: ignore[arg-type]
    [change] = deleted.inbound
    assert change.status is LedgerStatus.DELETED
    store.settings = TenantSettings(manual_push=True)
    ignored = await _inbound(store, qbo).webhook(_webhook(external_id))  # type: ignore[arg-type]
    assert str(ignored.outcome) == "ignored:not_two_way"


async def test_cdc_sweep_publishes_changes_and_moves_the_cursor(
    synced: tuple[FakeStore, FakeQuickBooks, str],
) -> None:
    store, qbo, external_id = synced
    edited = qbo.edit_in_quickbooks(external_id, doc_number="QB-2")
    server_time = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    qbo.changes = InvoiceChanges(
        changed=[edited],
        deleted=[DeletedObject.model_validate({"Id": "unknown-to-us"})],
        server_time=server_time,
        may_be_truncated=False,
    )
    completion = await _inbound(store, qbo).cdc_sweep(unit(UnitKind.CDC))
    assert str(completion.outcome) == "cdc"
    assert [c.sync_token for c in completion.inbound] == [edited.sync_token]
    assert completion.cdc_cursor is not None and completion.cdc_cursor.at == server_time


async def test_a_sweep_that_finds_the_connection_revoked_ends_without_a_crash() -> None:
    store, qbo = FakeStore(), FakeQuickBooks()
    qbo.fail_next("cdc", QuickBooksError(ErrorCode.QBO_AUTH, "invalid_grant"))
    completion = await _inbound(store, qbo).cdc_sweep(unit(UnitKind.CDC))
    assert str(completion.outcome) == "ignored:not_connected"
    assert completion.cdc_cursor is None
