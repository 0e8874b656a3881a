"""Signing webhook bodies the way Intuit does (HMAC-SHA256 of the raw body, base64)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import httpx

from tests.support.environment import WEBHOOK_VERIFIER


def signature(body: bytes) -> str:
    digest = hmac.new(WEBHOOK_VERIFIER.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


async def signed_post(api: httpx.AsyncClient, body: bytes) -> httpx.Response:
    return await api.post(
        "/v1/webhooks/quickbooks",
        content=body,
        headers={"intuit-signature": signature(body), "content-type": "application/json"},
    )
