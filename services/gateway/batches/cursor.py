"""Opaque keyset-pagination cursors over (position, invoice_id)."""

from __future__ import annotations

import base64
import binascii
import json


class InvalidCursor(ValueError):
    pass


def encode_cursor(position: int, invoice_id: str) -> str:
    raw = json.dumps([position, invoice_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position, invoice_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise InvalidCursor("the cursor is not one this API returned") from exc
    if not isinstance(position, int) or not isinstance(invoice_id, str):
        raise InvalidCursor("the cursor is not one this API returned")
    return position, invoice_id
