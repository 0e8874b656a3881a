"""Short-lived read-only tokens for the ops page and its event stream (`mqo_…`).

Signed like the progress window's page tokens (same helpers, a key derived for this use
only, so neither kind can stand in for the other); they grant reading the ops overview.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from services.gateway.auth.page_tokens import _b64, _unb64, derive_key

OPS_TOKEN_PREFIX = "mqo_"  # noqa: S105 (a prefix, not a secret)
_SCOPE = "ops:read"


def ops_key(secret: str) -> bytes:
    return derive_key(secret, b"gateway-ops-page-token-v1")


def mint_ops_token(key: bytes, expires_at: int) -> str:
    body = json.dumps({"s": _SCOPE, "exp": expires_at}, separators=(",", ":")).encode()
    signature = hmac.new(key, body, hashlib.sha256).digest()
    return f"{OPS_TOKEN_PREFIX}{_b64(body)}.{_b64(signature)}"


def verify_ops_token(key: bytes, token: str, now: datetime) -> bool:
    if not token.startswith(OPS_TOKEN_PREFIX):
        return False
    encoded_body, _, encoded_signature = token[len(OPS_TOKEN_PREFIX) :].partition(".")
    try:
        body, signature = _unb64(encoded_body), _unb64(encoded_signature)
        if not hmac.compare_digest(hmac.new(key, body, hashlib.sha256).digest(), signature):
            return False
        data = json.loads(body)
        return bool(data["s"] == _SCOPE and int(data["exp"]) > now.timestamp())
    except (ValueError, KeyError, TypeError):
        return False
