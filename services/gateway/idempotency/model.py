"""What an Idempotency-Key request is and how it is recognised (pure)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255


def valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and all(0x20 <= ord(c) <= 0x7E for c in key)


def caller_id(credential: str) -> str:
    """The scope of a key: who sent it, without keeping their credential."""
    return hashlib.sha256(b"idempotency-caller\0" + credential.encode()).hexdigest()


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    fingerprint: str
    status: int | None  # None: the first request is still being served
    content_type: str | None
    location: str | None
    body: bytes | None


def should_store(status: int) -> bool:
    # Only success is kept: after an error the caller may fix things and reuse the key.
    return 200 <= status < 300
