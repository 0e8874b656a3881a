"""Turns raw Kafka bytes into contract models, or says precisely why it cannot."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from services.contract.catalog import SPEC_BY_TOPIC


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


def parse_event(topic: str, raw: bytes | None) -> Any:
    spec = SPEC_BY_TOPIC.get(topic)
    if spec is None:
        raise ContractViolation("UnknownTopic", f"no contract for topic {topic!r}")
    if raw is None:
        raise ContractViolation("EmptyMessage", "message has no value (tombstone)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContractViolation("InvalidEncoding", f"not UTF-8: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractViolation("InvalidJson", f"not valid JSON: {exc}") from exc
    try:
        return spec.adapter.validate_python(data)
    except ValidationError as exc:
        raise ContractViolation("ContractViolation", _describe(exc)) from exc
