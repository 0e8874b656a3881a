"""Building blocks shared by every event of the v1 contract."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID, uuid4

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)


def _refuse_numbers(value: Any) -> Any:
    # The published schema says string: no lax coercion of JSON numbers (epoch seconds).
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("must be a string, not a number")
    return value


def _require_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a UTC offset (RFC 3339)")
    return value.astimezone(UTC)


def _format_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


UtcDatetime = Annotated[
    datetime,
    BeforeValidator(_refuse_numbers),
    AfterValidator(_require_utc),
    PlainSerializer(_format_utc, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""An RFC 3339 timestamp, normalised to UTC and written with a `Z` suffix."""


MONEY_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


_MONEY = re.compile(MONEY_PATTERN)


def _money_text(value: Any) -> Any:
    """A decimal string like "1250.00" (always finite), or a finite Decimal from Python code.
    One validator for all three rules: each Python call per field costs parsing time."""
    if isinstance(value, str):
        if _MONEY.fullmatch(value) is None:
            raise ValueError('money must be a decimal string like "1250.00"')
        return value
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError("money must be a finite decimal")
    return _refuse_numbers(value)


Money = Annotated[
    Decimal,
    BeforeValidator(_money_text),
    PlainSerializer(lambda v: format(v, "f"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["1250.00"]}),
]
"""Money travels as a decimal string ("1250.00"), never as a float."""


STORABLE_TEXT_PATTERN = "^[^\\u0000\\ud800-\\udfff]*$"
"""Published character rule: no NUL and no lone UTF-16 surrogate, which PostgreSQL cannot
store (text and jsonb refuse NUL; a lone surrogate has no UTF-8 encoding)."""

Text = Annotated[
    str,
    # pydantic's regex engine has no surrogates; any constrained str already refuses them.
    Field(pattern="^[^\\u0000]*$", json_schema_extra={"pattern": STORABLE_TEXT_PATTERN}),
]
"""Every free-text field of the contract: a string PostgreSQL can store."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class ContractModel(BaseModel):
    """Strict about unknown fields so typos surface at the producer, not downstream."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


TENANT_ID_PATTERN = r"^[A-Za-z0-9._-]*[A-Za-z0-9_-][A-Za-z0-9._-]*$"
"""Letters, digits, `.`, `_`, `-`, and at least one that is not a dot (`.`/`..` are paths)."""


class EventEnvelope(ContractModel):
    """Fields every message carries. Consumers deduplicate on `event_id`."""

    event_id: UUID = Field(default_factory=uuid4)
    occurred_at: UtcDatetime = Field(default_factory=utc_now)
    tenant_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=TENANT_ID_PATTERN,
        description="One MediaOS account, connected to one QuickBooks company.",
    )
