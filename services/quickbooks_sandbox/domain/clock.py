"""Time handling: QBO timestamps are ISO-8601 with a UTC offset (Pacific time in production)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

Clock = Callable[[], float]

system_clock: Clock = time.time


def qbo_timestamp(epoch: float, offset_minutes: int, millis: bool = False) -> str:
    tz = timezone(timedelta(minutes=offset_minutes))
    moment = datetime.fromtimestamp(epoch, tz)
    return moment.isoformat(timespec="milliseconds" if millis else "seconds")


def local_date(epoch: float, offset_minutes: int) -> date:
    return datetime.fromtimestamp(epoch, timezone(timedelta(minutes=offset_minutes))).date()


def parse_timestamp(text: str, offset_minutes: int) -> float:
    """Parse an ISO-8601 date or datetime; naive values are read in the company's offset."""
    value = text.strip().replace(" ", "+") if "T" in text else text.strip()
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    return moment.astimezone(UTC).timestamp()
