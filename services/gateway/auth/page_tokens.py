"""Short-lived signed tokens for the progress window and its event stream.

`EventSource` cannot send an Authorization header, so the page and its stream take a
token in the `access_token` query parameter. Long-lived tokens never go in URLs: the API
mints these instead, limited to one batch of one tenant and valid for minutes.
Format: `mqp_<base64url(JSON claims)>.<base64url(HMAC-SHA256(key, claims))>`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.gateway.auth.principal import Role

PAGE_TOKEN_PREFIX = "mqp_"  # noqa: S105 (a prefix, not a secret)


@dataclass(frozen=True, slots=True)
class PageClaims:
    tenant_id: str
    batch_id: UUID
    role: Role
    expires_at: int
    minted_by: str = ""


def derive_key(secret: str, context: bytes = b"gateway-page-token-v1") -> bytes:
    return hmac.new(secret.encode(), context, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mint_page_token(key: bytes, claims: PageClaims) -> str:
    body = json.dumps(
        {
            "t": claims.tenant_id,
            "b": str(claims.batch_id),
            "r": claims.role.value,
            "exp": claims.expires_at,
            "by": claims.minted_by,
        },
        separators=(",", ":"),
    ).encode()
    signature = hmac.new(key, body, hashlib.sha256).digest()
    return f"{PAGE_TOKEN_PREFIX}{_b64(body)}.{_b64(signature)}"


def verify_page_token(key: bytes, token: str, now: datetime) -> PageClaims | None:
    """The claims of a genuine, unexpired page token; None otherwise."""
    if not token.startswith(PAGE_TOKEN_PREFIX):
        return None
    encoded_body, _, encoded_signature = token[len(PAGE_TOKEN_PREFIX) :].partition(".")
    try:
        body, signature = _unb64(encoded_body), _unb64(encoded_signature)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(hmac.new(key, body, hashlib.sha256).digest(), signature):
        return None
    try:
        data = json.loads(body)
        claims = PageClaims(
            data["t"], UUID(data["b"]), Role(data["r"]), int(data["exp"]), str(data.get("by", ""))
        )
    except (ValueError, KeyError, TypeError):
        return None
    if claims.expires_at <= now.timestamp():
        return None
    return claims
