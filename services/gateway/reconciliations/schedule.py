"""When a nightly run is due: once per UTC day, for a tenant that turned nightly runs on."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utc_day(moment: datetime) -> date:
    if moment.tzinfo is None:
        raise ValueError("the scheduler needs a timezone-aware time")
    return moment.astimezone(UTC).date()


def is_due(nightly: bool, last_nightly: date | None, now: datetime) -> bool:
    """`last_nightly`: the UTC day of the tenant's last nightly run (None: never)."""
    today = utc_day(now)
    return nightly and (last_nightly is None or last_nightly < today)
