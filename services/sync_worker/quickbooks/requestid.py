"""QuickBooks `requestid` values: validated, and derived deterministically for follow-ups."""

from __future__ import annotations

import hashlib

MAX_REQUEST_ID_LENGTH = 50


def validate_request_id(request_id: str) -> str:
    if not request_id or len(request_id) > MAX_REQUEST_ID_LENGTH:
        raise ValueError(
            f"requestid must be 1..{MAX_REQUEST_ID_LENGTH} characters, got {len(request_id)}"
        )
    if not request_id.isascii() or not request_id.isprintable() or " " in request_id:
        raise ValueError("requestid must be printable ASCII without spaces")
    return request_id


def derive_request_id(request_id: str, suffix: str) -> str:
    """A new id for a follow-up write of the same unit of work (e.g. a retry with a fresh
    SyncToken); the original id would make QuickBooks replay the original answer."""
    candidate = f"{request_id}-{suffix}"
    if len(candidate) <= MAX_REQUEST_ID_LENGTH:
        return candidate
    return hashlib.sha256(candidate.encode()).hexdigest()[:MAX_REQUEST_ID_LENGTH]
