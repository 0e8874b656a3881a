"""Calls to Intuit's OAuth 2.0 token endpoint (refresh grant)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from pydantic import SecretStr

from services.contract.errors import ErrorCode

from .config import QuickBooksConfig
from .errors import QuickBooksError
from .jsonutil import loads

# Answers meaning the stored credentials will never work again without a human.
PERMANENT_OAUTH_ERRORS = frozenset({"invalid_grant", "invalid_client", "unauthorized_client"})


@dataclass(frozen=True, slots=True, repr=False)
class TokenGrant:
    access_token: SecretStr
    refresh_token: SecretStr
    access_token_expires_at: datetime
    refresh_token_expires_at: datetime | None

    def __repr__(self) -> str:
        return f"TokenGrant(<redacted>, expires_at={self.access_token_expires_at.isoformat()})"


class OAuthRejectedError(Exception):
    """The token endpoint refused the refresh token or client credentials for good."""

    def __init__(self, reason: str, http_status: int) -> None:
        super().__init__(f"token endpoint answered {reason!r} (HTTP {http_status})")
        self.reason = reason
        self.http_status = http_status


def _unavailable(message: str, http_status: int | None = None) -> QuickBooksError:
    return QuickBooksError(
        ErrorCode.QBO_UNAVAILABLE,
        f"{message} Retry later; the service retries automatically.",
        details={"operation": "oauth.refresh"},
        http_status=http_status,
    )


async def refresh_access_token(
    http: httpx.AsyncClient, config: QuickBooksConfig, refresh_token: SecretStr
) -> TokenGrant:
    """Exchange a refresh token for a new token pair.

    Raises OAuthRejectedError for a permanent refusal and a retryable QuickBooksError for
    anything that may pass (network trouble, 5xx, a throttled token endpoint).
    """
    # Expiry is counted from before the call, so it errs on the early side.
    requested_at = datetime.now(UTC)
    try:
        response = await http.post(
            config.token_url,
            data={"grant_type": "refresh_token", "refresh_token": refresh_token.get_secret_value()},
            auth=(config.client_id, config.client_secret.get_secret_value()),
            headers={"Accept": "application/json"},
        )
    except httpx.TransportError as exc:
        raise _unavailable(
            f"The QuickBooks token endpoint could not be reached ({type(exc).__name__})."
        ) from None
    body: object
    try:
        body = loads(response.content) if response.content else {}
    except ValueError:
        body = {}
    if response.status_code >= 400 or not isinstance(body, dict):
        error = str(body.get("error", "")) if isinstance(body, dict) else ""
        if response.status_code in (400, 401) and error in PERMANENT_OAUTH_ERRORS:
            raise OAuthRejectedError(error, response.status_code)
        raise _unavailable(
            f"The QuickBooks token endpoint failed (HTTP {response.status_code}"
            f"{', ' + error if error else ''}).",
            response.status_code,
        )
    try:
        access = str(body["access_token"])
        refresh = str(body["refresh_token"])
        expires_in = float(body.get("expires_in", 3600))
    except (KeyError, TypeError, ValueError):
        raise _unavailable("The QuickBooks token endpoint sent an incomplete answer.") from None
    refresh_ttl = body.get("x_refresh_token_expires_in")
    return TokenGrant(
        access_token=SecretStr(access),
        refresh_token=SecretStr(refresh),
        access_token_expires_at=requested_at + timedelta(seconds=expires_in),
        refresh_token_expires_at=(
            requested_at + timedelta(seconds=float(refresh_ttl)) if refresh_ttl else None
        ),
    )
