"""Per-realm company settings and rate limits, updatable through the admin API."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


def _apply(target: Any, changes: dict[str, Any]) -> None:
    """Assign known fields with type checking; reject unknown keys (ValueError).

    All-or-nothing: nothing changes when any value is rejected.
    """
    staged = replace(target)
    _assign(staged, changes)
    target.__dict__.update(staged.__dict__)


def _assign(target: Any, changes: dict[str, Any]) -> None:
    known = {f.name: f for f in fields(target)}
    for key, value in changes.items():
        if key not in known:
            raise ValueError(f"unknown setting {key!r}")
        current = getattr(target, key)
        if isinstance(current, bool):
            if not isinstance(value, bool):
                raise ValueError(f"{key} must be a boolean")
        elif isinstance(current, int | float):
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{key} must be a non-negative number")
            value = type(current)(value)
        setattr(target, key, value)


@dataclass
class RealmSettings:
    custom_txn_numbers: bool = True
    warn_duplicate_doc_number: bool = True
    access_token_ttl_seconds: int = 3600
    refresh_token_ttl_seconds: int = 8_726_400
    # Intuit hands back the same new pair when an old refresh token is replayed very soon
    # after rotation; 0 means strict rotation.
    refresh_replay_grace_seconds: float = 0.0
    throttle_as_xml: bool = False
    batch_max_items: int = 30
    cdc_max_lookback_days: int = 30
    cdc_max_objects: int = 1000
    query_max_results: int = 1000
    # Production companies live in Pacific time; offsets appear in every timestamp.
    tz_offset_minutes: int = -420
    default_terms_days: int = 30
    replay_cache_size: int = 100_000

    def update(self, changes: dict[str, Any]) -> None:
        changes = dict(changes)
        offset = changes.pop("tz_offset_minutes", self.tz_offset_minutes)
        if not isinstance(offset, int) or isinstance(offset, bool) or abs(offset) > 14 * 60:
            raise ValueError("tz_offset_minutes must be an integer within +/-840")
        if changes.get("batch_max_items", 1) in (0, 0.0):
            raise ValueError("batch_max_items must be at least 1")
        _apply(self, changes)
        self.tz_offset_minutes = offset


@dataclass
class RateLimits:
    per_minute: int = 500
    per_second: int = 10
    # `/batch` requests per minute per realm and app (Intuit's documented batch throttle).
    batch_per_minute: int = 40

    def update(self, changes: dict[str, Any]) -> None:
        _apply(self, changes)
