from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)


def event_message(topic: str, key: bytes, event: BaseModel) -> OutboxMessage:
    return OutboxMessage(
        topic=topic,
        key=key,
        value=event.model_dump_json().encode(),
        headers=[("content-type", "application/json")],
    )
