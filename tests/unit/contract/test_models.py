from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from uuid import uuid4

import pytest
from pydantic import ValidationError

from services.contract.push import MAX_BATCH_SIZE, PushRequested
from services.contract.settings import SettingsChanged
from tests.support.factories import invoice_created, invoice_snapshot


def test_money_is_a_decimal_string_and_timestamps_are_utc_z() -> None:
    event = invoice_created("acme", unit_price="1250.50", quantity="2")
    data = json.loads(event.model_dump_json())
    assert data["invoice"]["lines"][0]["amount"] == "2501.00"
    assert data["invoice"]["total"] == "2501.00"
    assert data["occurred_at"].endswith("Z")
    assert data["event_type"] == "invoice.created"


def test_offset_timestamps_are_normalised_to_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    snap = invoice_snapshot().model_copy(
        update={"created_at": datetime(2026, 1, 1, 12, 0, tzinfo=plus_two)}
    )
    again = type(snap).model_validate_json(snap.model_dump_json())
    assert again.created_at == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)


def test_naive_timestamps_are_refused() -> None:
    raw = json.loads(invoice_snapshot().model_dump_json())
    raw["created_at"] = "2026-11-01T09:00:00"
    with pytest.raises(ValidationError, match="UTC offset"):
        type(invoice_snapshot()).model_validate(raw)


def test_money_rejects_non_finite_values() -> None:
    raw = json.loads(invoice_snapshot().model_dump_json())
    raw["total"] = "NaN"
    with pytest.raises(ValidationError):
        type(invoice_snapshot()).model_validate(raw)


def test_unknown_fields_are_refused() -> None:
    raw = json.loads(invoice_created("acme").model_dump_json())
    raw["surprise"] = 1
    with pytest.raises(ValidationError, match="surprise"):
        type(invoice_created("acme")).model_validate(raw)


def test_settings_changed_knows_which_keys_were_sent() -> None:
    event = SettingsChanged.model_validate(
        {"tenant_id": "acme", "event_type": "settings.changed", "invoice_number_prefix": None}
    )
    assert event.changed_keys() == {"invoice_number_prefix"}
    assert SettingsChanged(tenant_id="acme", manual_push=True).changed_keys() == {"manual_push"}


def test_push_requested_limits_and_duplicates() -> None:
    with pytest.raises(ValidationError, match="duplicate invoice ids: a"):
        PushRequested(
            tenant_id="t", batch_id=uuid4(), invoice_ids=["a", "b", "a"], requested_by="u"
        )
    with pytest.raises(ValidationError):
        PushRequested(tenant_id="t", batch_id=uuid4(), invoice_ids=[], requested_by="u")
    with pytest.raises(ValidationError):
        PushRequested(
            tenant_id="t",
            batch_id=uuid4(),
            invoice_ids=[str(i) for i in range(MAX_BATCH_SIZE + 1)],
            requested_by="u",
        )
    ok = PushRequested(tenant_id="t", batch_id=uuid4(), invoice_ids=["a", "b"], requested_by="u")
    assert ok.invoice_ids == ["a", "b"]


def test_decimal_values_survive_a_round_trip_exactly() -> None:
    snap = invoice_snapshot(unit_price="0.10", quantity="3")
    again = type(snap).model_validate_json(snap.model_dump_json())
    assert again.total == Decimal("0.30")
