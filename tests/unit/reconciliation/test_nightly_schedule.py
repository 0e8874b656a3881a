"""The nightly scheduler's decision: once per UTC day, only for tenants that turned it on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.gateway.reconciliations.schedule import is_due, utc_day

NOON = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_off_is_never_due() -> None:
    assert not is_due(False, None, NOON)
    assert not is_due(False, date(2026, 1, 1), NOON)


def test_on_and_never_run_is_due() -> None:
    assert is_due(True, None, NOON)


def test_once_a_utc_day() -> None:
    assert not is_due(True, date(2026, 11, 29), NOON)
    assert is_due(True, date(2026, 11, 28), NOON)
    # A run already made "tomorrow" (a clock that went back) is not repeated today.
    assert not is_due(True, date(2026, 11, 30), NOON)


def test_the_day_turns_at_utc_midnight_whatever_the_offset() -> None:
    before = datetime(2026, 11, 29, 23, 59, 59, tzinfo=UTC)
    after = before + timedelta(seconds=1)
    assert not is_due(True, date(2026, 11, 29), before)
    assert is_due(True, date(2026, 11, 29), after)
    # 20:00 on the 29th in New York is 01:00 UTC on the 30th: the UTC day counts.
    new_york = datetime(2026, 11, 29, 20, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert utc_day(new_york) == date(2026, 11, 30)
    assert is_due(True, date(2026, 11, 29), new_york)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_due(True, None, datetime(2026, 11, 29, 12, 0))
