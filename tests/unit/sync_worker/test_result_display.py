"""Results name the invoice as people know it: MediaOS number, customer and amount."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.contract.errors import ERROR_CATALOG, ErrorCode
from services.contract.parsing import parse_event
from services.contract.results import InvoiceSyncFailed, InvoiceSyncSucceeded, Operation
from services.contract.topics import Topic
from services.sync_worker.sync import completions
from services.sync_worker.sync.completion import UnitKind
from services.sync_worker.sync.domain.failures import SyncFailure
from services.sync_worker.sync.domain.translate import require_mapped
from services.sync_worker.sync.work_items import WorkItem
from tests.support.factories import invoice_snapshot


def _push_item(invoice_id: str) -> WorkItem:
    return WorkItem(
        id=1,
        tenant_id="t-display",
        invoice_id=invoice_id,
        kind=UnitKind.PUSH,
        invoice_version=None,
        batch_id=uuid.uuid4(),
        batch_size=3,
        payload={},
        attempts=1,
        created_at=datetime.now(UTC),
    )


def test_a_push_result_carries_number_customer_and_amount_of_the_snapshot() -> None:
    snap = invoice_snapshot(number="10452", unit_price="1250.50", quantity="2", customer="Acme")
    item = _push_item(snap.invoice_id)
    done = completions.success(
        item, completions.subject_of(item, snap), Operation.CREATE, "77", "EXT-1"
    )
    event = parse_event(Topic.RESULTS.value, done.results[0].value)
    assert isinstance(event, InvoiceSyncSucceeded)
    assert (event.number, event.customer_name) == ("10452", "Acme")
    assert (event.amount, event.currency) == (Decimal("2501.00"), snap.currency)
    assert event.invoice_version == snap.version


def test_unmapped_product_failure_is_plain_language_and_keeps_codes_in_details() -> None:
    snap = invoice_snapshot(products=("P-PODCAST",))
    item = _push_item(snap.invoice_id)
    with pytest.raises(SyncFailure) as raised:
        require_mapped(snap, {}, {"P-PODCAST": "Podcast placement"})
    failure = raised.value
    done = completions.failure(
        item, completions.subject_of(item, snap), failure.code, failure.message, failure.details
    )
    event = parse_event(Topic.RESULTS.value, done.results[0].value)
    assert isinstance(event, InvoiceSyncFailed) and event.error is not None
    message = event.error.message
    assert "Podcast placement" in message and "Mapping Products to QuickBooks" in message
    assert "`" not in message and "details." not in message
    assert event.error.details["unmapped_products"][0]["product_id"] == "P-PODCAST"
    assert event.number == snap.number


def test_a_result_without_display_fields_still_parses() -> None:
    old = {
        "event_id": str(uuid.uuid4()),
        "event_type": "invoice.sync.succeeded",
        "occurred_at": "2026-01-02T03:04:05Z",
        "tenant_id": "t-old",
        "invoice_id": "inv-1",
        "trigger": "push",
        "operation": "create",
    }
    event = parse_event(Topic.RESULTS.value, json.dumps(old).encode())
    assert isinstance(event, InvoiceSyncSucceeded)
    assert event.number is None and event.customer_name is None and event.amount is None


def test_no_guidance_shows_markup_to_the_people_who_read_it() -> None:
    for code in ErrorCode:
        assert "`" not in ERROR_CATALOG[code].what_to_do, code
