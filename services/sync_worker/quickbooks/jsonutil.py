"""JSON in and out with money kept exact: QuickBooks sends and expects plain JSON numbers."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# Doubles hold 15 significant digits exactly; beyond that a JSON number would change value.
_MAX_EXACT_DIGITS = 15


def _encode_default(value: object) -> object:
    if isinstance(value, Decimal):
        digits = len(value.as_tuple().digits)
        if digits > _MAX_EXACT_DIGITS:
            raise ValueError(f"decimal {value} has more digits than a JSON number keeps exactly")
        as_float = float(value)
        return int(as_float) if value == value.to_integral_value() else as_float
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, default=_encode_default, separators=(",", ":")).encode()


def loads(raw: bytes | str) -> Any:
    return json.loads(raw, parse_float=Decimal)
