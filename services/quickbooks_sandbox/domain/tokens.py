"""OAuth 2 credentials of one realm: client secret, rotating refresh tokens, access tokens."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass


class TokenError(Exception):
    """OAuth error code for the token endpoint, e.g. `invalid_grant`."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int


@dataclass
class _Rotated:
    at: float
    pair: TokenPair


def credentials_match(client_id: str, client_secret: str, expected: tuple[str, str]) -> bool:
    """Constant-time comparison of client credentials (both halves always compared)."""
    id_ok = hmac.compare_digest(client_id.encode(), expected[0].encode())
    secret_ok = hmac.compare_digest(client_secret.encode(), expected[1].encode())
    return id_ok and secret_ok


class TokenStore:
    def __init__(
        self,
        client_id: str,
        client_secret: str,
        on_refresh_issued: Callable[[str], None] | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        # Lets the sandbox index every refresh token it hands out (token -> realm).
        self.on_refresh_issued = on_refresh_issued
        self._access: dict[str, float] = {}
        self._refresh: dict[str, float] = {}
        self._rotated: dict[str, _Rotated] = {}

    def client_matches(self, client_id: str, client_secret: str) -> bool:
        return credentials_match(client_id, client_secret, (self.client_id, self.client_secret))

    def issue_refresh_token(self, now: float, ttl: float) -> str:
        token = "RT1-" + secrets.token_urlsafe(32)
        self._refresh[token] = now + ttl
        if self.on_refresh_issued is not None:
            self.on_refresh_issued(token)
        return token

    def issue_access_token(self, now: float, ttl: float) -> str:
        token = "eyJsandbox." + secrets.token_urlsafe(32)
        self._access[token] = now + ttl
        return token

    def refresh(
        self, refresh_token: str, now: float, access_ttl: int, refresh_ttl: int, grace: float
    ) -> TokenPair:
        """Rotate: the used refresh token dies and a new pair is issued."""
        rotated = self._rotated.get(refresh_token)
        if rotated is not None:
            if grace > 0 and now - rotated.at <= grace:
                return rotated.pair
            raise TokenError("invalid_grant")
        expires_at = self._refresh.pop(refresh_token, None)
        if expires_at is None or expires_at <= now:
            raise TokenError("invalid_grant")
        pair = TokenPair(
            access_token=self.issue_access_token(now, access_ttl),
            refresh_token=self.issue_refresh_token(now, refresh_ttl),
            expires_in=access_ttl,
            refresh_expires_in=refresh_ttl,
        )
        self._rotated[refresh_token] = _Rotated(now, pair)
        return pair

    def access_state(self, token: str, now: float) -> str:
        """'valid', 'expired' or 'unknown'."""
        expires_at = self._access.get(token)
        if expires_at is None:
            return "unknown"
        return "valid" if now < expires_at else "expired"

    def expire_access_tokens(self, now: float) -> int:
        for token in self._access:
            self._access[token] = min(self._access[token], now)
        return len(self._access)
