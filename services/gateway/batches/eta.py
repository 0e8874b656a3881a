"""Estimated time to completion from the observed result rate."""

from __future__ import annotations

from datetime import datetime, timedelta


def estimate_finish(
    *,
    total: int | None,
    done: int,
    started_at: datetime,
    first_result_at: datetime | None,
    last_result_at: datetime | None,
) -> datetime | None:
    """When the last result is expected, or None while there is no rate to go by.

    The rate is measured between the first and the last result, so time spent queued
    before the worker reached the batch does not slow the estimate down; with a single
    result, the time since the batch started is all there is.
    """
    if total is None or last_result_at is None or done <= 0 or done >= total:
        return None
    if done >= 2 and first_result_at is not None and last_result_at > first_result_at:
        rate = (done - 1) / (last_result_at - first_result_at).total_seconds()
    elif last_result_at > started_at:
        rate = done / (last_result_at - started_at).total_seconds()
    else:
        return None
    return last_result_at + timedelta(seconds=(total - done) / rate)


def seconds_until(finish: datetime | None, now: datetime) -> float | None:
    if finish is None:
        return None
    return round(max((finish - now).total_seconds(), 0.0), 1)
