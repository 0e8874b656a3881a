"""OAuth 2 credentials of one realm: client secret, rotating refresh tokens, access tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


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
    pair: TokenPair | None


def token_key(token: str) -> str:
    """Tokens and secrets are kept as SHA-256 digests only (they may be written to disk)."""
    return hashlib.sha256(token.encode()).hexdigest()


def credentials_match(client_id: str, client_secret: str, expected: tuple[str, str]) -> bool:
    """Constant-time comparison of client credentials (both halves always compared)."""
    id_ok = hmac.compare_digest(client_id.encode(), expected[0].encode())
    secret_ok = hmac.compare_digest(client_secret.encode(), expected[1].encode())
    return id_ok and secret_ok


class TokenStore:
    """Keys are `token_key` digests: a snapshot of this store holds no usable token."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        on_refresh_issued: Callable[[str], None] | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret_key = token_key(client_secret)
        # Lets the sandbox index every refresh token it hands out (token key -> realm).
        self.on_refresh_issued = on_refresh_issued
        self._access: dict[str, float] = {}
        self._refresh: dict[str, float] = {}
        self._rotated: dict[str, _Rotated] = {}

    def client_matches(self, client_id: str, client_secret: str) -> bool:
        id_ok = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        secret_ok = hmac.compare_digest(token_key(client_secret), self.client_secret_key)
        return id_ok and secret_ok

    def issue_refresh_token(self, now: float, ttl: float) -> str:
        token = "RT1-" + secrets.token_urlsafe(32)
        self._refresh[token_key(token)] = now + ttl
        if self.on_refresh_issued is not None:
            self.on_refresh_issued(token_key(token))
        return token

    def issue_access_token(self, now: float, ttl: float) -> str:
        token = "eyJsandbox." + secrets.token_urlsafe(32)
        self._access[token_key(token)] = now + ttl
        return token

    def refresh(
        self, refresh_token: str, now: float, access_ttl: int, refresh_ttl: int, grace: float
    ) -> TokenPair:
        """Rotate: the used refresh token dies and a new pair is issued."""
        key = token_key(refresh_token)
        rotated = self._rotated.get(key)
        if rotated is not None:
            # After a restart the replayed pair is gone (never persisted): invalid_grant.
            if grace > 0 and now - rotated.at <= grace and rotated.pair is not None:
                return rotated.pair
            raise TokenError("invalid_grant")
        expires_at = self._refresh.pop(key, None)
        if expires_at is None or expires_at <= now:
            raise TokenError("invalid_grant")
        pair = TokenPair(
            access_token=self.issue_access_token(now, access_ttl),
            refresh_token=self.issue_refresh_token(now, refresh_ttl),
            expires_in=access_ttl,
            refresh_expires_in=refresh_ttl,
        )
        self._rotated[key] = _Rotated(now, pair)
        return pair

    def access_state(self, token: str, now: float) -> str:
        """'valid', 'expired' or 'unknown'."""
        expires_at = self._access.get(token_key(token))
        if expires_at is None:
            return "unknown"
        return "valid" if now < expires_at else "expired"

    def expire_access_tokens(self, now: float) -> int:
        for token in self._access:
            self._access[token] = min(self._access[token], now)
        return len(self._access)

    def snapshot(self) -> dict[str, object]:
        """Digests and expiry times only; the grace-window pairs are not written."""
        return {
            "client_id": self.client_id,
            "client_secret_key": self.client_secret_key,
            "access": dict(self._access),
            "refresh": dict(self._refresh),
            "rotated": {key: r.at for key, r in self._rotated.items()},
        }

    @classmethod
    def restore(cls, data: dict[str, Any]) -> TokenStore:
        store = cls(str(data["client_id"]), "")
        store.client_secret_key = str(data["client_secret_key"])
        store._access = {str(k): float(v) for k, v in data["access"].items()}
        store._refresh = {str(k): float(v) for k, v in data["refresh"].items()}
        store._rotated = {str(k): _Rotated(float(v), None) for k, v in data["rotated"].items()}
        return store

    def refresh_keys(self) -> list[str]:
        """Every refresh token key this realm ever issued (live and rotated out)."""
        return [*self._refresh, *self._rotated]
