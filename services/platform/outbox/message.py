from __future__ import annotations

import json
from dataclasses import dataclass, field

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)


def headers_json(headers: list[tuple[str, str]]) -> str:
    """Headers as the outbox's jsonb column stores them. jsonb cannot hold NUL, and a
    dead letter's reason may quote hostile input: such characters are written escaped."""
    return json.dumps([(k, _storable(v)) for k, v in headers])


def _storable(text: str) -> str:
    if "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text):
        return text
    return text.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode()


def event_message(topic: str, key: bytes, event: BaseModel) -> OutboxMessage:
    return OutboxMessage(
        topic=topic,
        key=key,
        value=event.model_dump_json().encode(),
        headers=[("content-type", "application/json")],
    )
