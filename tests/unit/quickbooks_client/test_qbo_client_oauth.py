from __future__ import annotations

import base64

import httpx
import pytest
from pydantic import SecretStr

from services.contract.errors import ErrorCode
from services.sync_worker.quickbooks.errors import QuickBooksError
from services.sync_worker.quickbooks.oauth import OAuthRejectedError, refresh_access_token
from tests.unit.quickbooks_client.qbo_client_fakes import make_config

REFRESH = SecretStr("refresh-token-secret-1")


def _client(response: httpx.Response, seen: list[httpx.Request]) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return response

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_refresh_posts_basic_auth_and_returns_rotated_tokens() -> None:
    seen: list[httpx.Request] = []
    body = {
        "access_token": "access-new",
        "refresh_token": "refresh-new",
        "token_type": "bearer",
        "expires_in": 3600,
        "x_refresh_token_expires_in": 8726400,
    }
    async with _client(httpx.Response(200, json=body), seen) as http:
        grant = await refresh_access_token(http, make_config(), REFRESH)
    assert grant.refresh_token.get_secret_value() == "refresh-new"
    assert grant.access_token.get_secret_value() == "access-new"
    assert grant.refresh_token_expires_at is not None
    request = seen[0]
    expected = base64.b64encode(b"client-id:client-secret-value").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert b"grant_type=refresh_token" in request.content
    assert "refresh-new" not in repr(grant) and "access-new" not in repr(grant)


@pytest.mark.parametrize("error", ["invalid_grant", "invalid_client"])
async def test_permanent_refusal(error: str) -> None:
    async with _client(httpx.Response(400, json={"error": error}), []) as http:
        with pytest.raises(OAuthRejectedError) as caught:
            await refresh_access_token(http, make_config(), REFRESH)
    assert caught.value.reason == error
    assert REFRESH.get_secret_value() not in str(caught.value)


async def test_server_error_is_retryable_unavailable() -> None:
    async with _client(httpx.Response(503, text="down"), []) as http:
        with pytest.raises(QuickBooksError) as caught:
            await refresh_access_token(http, make_config(), REFRESH)
    assert caught.value.code is ErrorCode.QBO_UNAVAILABLE and caught.value.retryable


async def test_network_error_is_retryable_and_hides_the_token() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(boom)) as http:
        with pytest.raises(QuickBooksError) as caught:
            await refresh_access_token(http, make_config(), REFRESH)
    assert caught.value.retryable
    assert caught.value.__cause__ is None
    assert REFRESH.get_secret_value() not in str(caught.value)
