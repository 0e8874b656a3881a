"""The text/event-stream wire format (pure)."""

from __future__ import annotations


def sse_event(data: str, *, event: str | None = None, event_id: int | None = None) -> str:
    lines: list[str] = []
    if event is not None:
        lines.append(f"event: {event}")
    if event_id is not None:
        lines.append(f"id: {event_id}")
    # A line break inside data would end the field: each line gets its own `data:`.
    lines.extend(f"data: {line}" for line in (data.splitlines() or [""]))
    return "\n".join(lines) + "\n\n"


def sse_comment(text: str) -> str:
    return f": {text}\n\n"


def sse_retry(milliseconds: int) -> str:
    return f"retry: {milliseconds}\n\n"


def parse_last_event_id(value: str | None) -> int | None:
    """The sequence a reconnecting client saw last; anything else means "from now"."""
    if value is None:
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)
