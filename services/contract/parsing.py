"""Turns raw Kafka bytes into contract models, or says precisely why it cannot."""

from __future__ import annotations

import json

from pydantic import TypeAdapter, ValidationError

from services.contract.catalog import SPEC_BY_TOPIC, ContractEvent
from services.contract.limits import MAX_MESSAGE_BYTES


class ContractViolation(Exception):
    """The message is not valid JSON or does not satisfy contract v1 for its topic."""

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "<root>"
        parts.append(f"{where}: {item['msg']}")
    more = error.error_count() - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


# No contract v1 document nests deeper than 6 levels; 32 leaves room for growth and keeps
# json.loads and validation far from Python's recursion limit.
MAX_NESTING = 32
# The broker refuses larger records; a bigger value can only come from a misconfigured broker.
MAX_EVENT_BYTES = MAX_MESSAGE_BYTES


def nesting_depth(text: str, limit: int = MAX_NESTING) -> int:
    """Bracket depth outside strings, stopping as soon as `limit` is exceeded: linear, no
    recursion, so a hostile `[[[[...` costs nothing to refuse."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def parse_event(topic: str, raw: bytes | None) -> ContractEvent:
    """The contract model for `raw`, or ContractViolation: whatever the bytes are, this never
    raises anything else, so a consumer can always dead-letter what it cannot read."""
    spec = SPEC_BY_TOPIC.get(topic)
    if spec is None:
        raise ContractViolation("UnknownTopic", f"no contract for topic {topic!r}")
    if raw is None:
        raise ContractViolation("EmptyMessage", "message has no value (tombstone)")
    if len(raw) > MAX_EVENT_BYTES:
        raise ContractViolation(
            "TooLarge", f"{len(raw)} bytes; events are limited to {MAX_EVENT_BYTES} bytes"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContractViolation("InvalidEncoding", f"not UTF-8: {exc}") from exc
    # Depth never exceeds the number of opening brackets (inside strings or not). Counting
    # them runs at C speed, so the character walk runs only for text that could be too deep.
    if text.count("[") + text.count("{") > MAX_NESTING and nesting_depth(text) > MAX_NESTING:
        raise ContractViolation(
            "TooDeep", f"JSON nested deeper than {MAX_NESTING} levels; no event is"
        )
    try:
        # pydantic-core reads the JSON and validates it in one pass (about a quarter faster
        # than json.loads and then validating the Python objects).
        event: ContractEvent = spec.adapter.validate_json(text)
        return event
    except ValidationError as exc:
        if not any(e["type"] == "json_invalid" for e in exc.errors()):
            raise ContractViolation("ContractViolation", _describe(exc)) from exc
    except (RecursionError, MemoryError, ValueError):
        pass
    # pydantic's JSON reader refuses some text Python's accepts (a lone surrogate escape), so
    # what it cannot read is read again the standard way: the reason names what is wrong.
    return _parse_slowly(spec.adapter, text)


def _parse_slowly(adapter: TypeAdapter[ContractEvent], text: str) -> ContractEvent:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractViolation("InvalidJson", f"not valid JSON: {exc}") from exc
    except (RecursionError, ValueError, MemoryError) as exc:
        raise ContractViolation("InvalidJson", f"unreadable JSON: {type(exc).__name__}") from exc
    try:
        event: ContractEvent = adapter.validate_python(data)
        return event
    except ValidationError as exc:
        raise ContractViolation("ContractViolation", _describe(exc)) from exc
    except (RecursionError, MemoryError) as exc:
        raise ContractViolation("ContractViolation", f"unreadable: {type(exc).__name__}") from exc
