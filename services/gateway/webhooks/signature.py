"""`intuit-signature`: base64(HMAC-SHA256(verifier token, raw request body))."""

from __future__ import annotations

import base64
import hashlib
import hmac


def sign(verifier_token: str, body: bytes) -> str:
    digest = hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_signature(verifier_token: str, body: bytes, signature: str | None) -> bool:
    if not signature or not verifier_token:
        return False
    return hmac.compare_digest(sign(verifier_token, body).encode(), signature.strip().encode())
