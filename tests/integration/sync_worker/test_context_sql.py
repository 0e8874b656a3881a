"""What an outbound unit reads before talking to QuickBooks, in one statement."""

from __future__ import annotations

import asyncpg
import pytest

from services.contract.settings import ConflictPolicy
from services.sync_worker.sync import context, ledger
from services.sync_worker.sync.completion import LedgerRecord, LedgerStatus
from tests.support.factories import invoice_snapshot

pytestmark = pytest.mark.integration


async def test_an_unknown_invoice_of_an_unknown_tenant_has_defaults(
    conn: asyncpg.Connection, tenant: str
) -> None:
    loaded = await context.load(conn, tenant, "nowhere")
    assert loaded.snapshot is None and loaded.event_type is None and loaded.ledger is None
    assert loaded.settings.manual_push is False
    assert loaded.item_ids == {} and loaded.product_names == {}


async def test_settings_snapshot_its_mappings_and_ledger_are_read_together(
    conn: asyncpg.Connection, tenant: str
) -> None:
    snapshot = invoice_snapshot("i1", products=("P-1", "P-2", "P-3"))
    await conn.execute(
        "INSERT INTO tenants (tenant_id, manual_push, invoice_number_prefix, conflict_policy) "
        "VALUES ($1, true, 'MO-', 'mediaos_wins')",
        tenant,
    )
    await conn.execute(
        "INSERT INTO invoice_snapshots (tenant_id, invoice_id, version, event_type, snapshot) "
        "VALUES ($1, 'i1', 1, 'invoice.created', $2::jsonb)",
        tenant,
        snapshot.model_dump_json(),
    )
    await conn.executemany(
        "INSERT INTO product_mappings (tenant_id, product_id, product_name, quickbooks_item_id) "
        "VALUES ($1, $2, $3, $4)",
        [
            (tenant, "P-1", "Print ad", "I1"),
            (tenant, "P-2", "Radio spot", None),  # known, not mapped yet
            (tenant, "P-9", "Not on this invoice", "I9"),
        ],
    )
    record = LedgerRecord(
        tenant, "i1", "realm-1", 0, "Q1", "MO-1001", "3", 1, LedgerStatus.ACTIVE, {"a": 1}
    )
    await ledger.record_write(conn, record)
    loaded = await context.load(conn, tenant, "i1")
    assert loaded.settings.manual_push is True
    assert loaded.settings.invoice_number_prefix == "MO-"
    assert loaded.settings.conflict_policy is ConflictPolicy.MEDIAOS_WINS
    assert loaded.snapshot == snapshot and loaded.event_type == "invoice.created"
    assert loaded.item_ids == {"P-1": "I1", "P-2": None}
    assert loaded.product_names == {"P-1": "Print ad", "P-2": "Radio spot"}
    assert loaded.ledger == await ledger.get(conn, tenant, "i1")
    assert loaded.ledger is not None and loaded.ledger.external_id == "Q1"
