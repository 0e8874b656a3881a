"""Opaque keyset-pagination cursors: base64url of a JSON array of the last row's key."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from uuid import UUID


class InvalidCursor(ValueError):
    pass


def _encode(parts: list[int | str]) -> str:
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, length: int) -> list[object]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise InvalidCursor("the cursor is not one this API returned") from exc
    if not isinstance(parts, list) or len(parts) != length:
        raise InvalidCursor("the cursor is not one this API returned")
    return parts


def encode_cursor(position: int, invoice_id: str) -> str:
    return _encode([position, invoice_id])


def decode_cursor(cursor: str) -> tuple[int, str]:
    position, invoice_id = _decode(cursor, 2)
    if not isinstance(position, int) or not isinstance(invoice_id, str):
        raise InvalidCursor("the cursor is not one this API returned")
    return position, invoice_id


def encode_position_cursor(position: int) -> str:
    return _encode([position])


def decode_position_cursor(cursor: str) -> int:
    (position,) = _decode(cursor, 1)
    if not isinstance(position, int):
        raise InvalidCursor("the cursor is not one this API returned")
    return position


def encode_time_cursor(at: datetime, key: str | UUID) -> str:
    """For lists newest first: (timestamp, tie-breaking id)."""
    return _encode([at.isoformat(), str(key)])


def decode_time_cursor(cursor: str) -> tuple[datetime, str]:
    at, key = _decode(cursor, 2)
    if not isinstance(at, str) or not isinstance(key, str):
        raise InvalidCursor("the cursor is not one this API returned")
    try:
        parsed = datetime.fromisoformat(at)
    except ValueError as exc:
        raise InvalidCursor("the cursor is not one this API returned") from exc
    if parsed.tzinfo is None:
        raise InvalidCursor("the cursor is not one this API returned")
    return parsed, key
