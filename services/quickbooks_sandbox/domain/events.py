"""Change events: what webhooks announce and what CDC replays."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ChangeEvent:
    realm_id: str
    entity: str
    entity_id: str
    operation: str  # Create | Update | Delete | Void
    last_updated: str


EventSink = Callable[[ChangeEvent], None]


def discard_event(_event: ChangeEvent) -> None:
    return None
