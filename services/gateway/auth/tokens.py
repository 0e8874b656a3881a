"""Tenant API tokens: random, recognisable by prefix, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

TENANT_TOKEN_PREFIX = "mqs_"  # noqa: S105 (a prefix, not a secret)


def new_token() -> str:
    return TENANT_TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> bytes:
    # The token has 256 random bits, so a fast unsalted hash cannot be brute-forced.
    return hashlib.sha256(token.encode()).digest()


def is_tenant_token(token: str) -> bool:
    return token.startswith(TENANT_TOKEN_PREFIX) and len(token) > len(TENANT_TOKEN_PREFIX)
