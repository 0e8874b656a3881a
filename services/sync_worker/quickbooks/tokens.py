"""Access tokens per tenant: cached, refreshed before expiry, rotations persisted first.

Refreshes are serialised per tenant across processes by `SELECT ... FOR UPDATE` on the
connection row. After getting the lock the row is read again: when another replica has just
stored a fresh access token it is reused, so two replicas never spend the same refresh token
(the second would get `invalid_grant` and the connection would be lost). The rotated refresh
token is committed before the new access token is used.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import structlog
from pydantic import SecretStr

from services.contract.errors import ERROR_CATALOG, ErrorCode
from services.platform.crypto import TokenDecryptionError
from services.platform.db_errors import DB_ERRORS
from services.sync_worker.observability.metrics import QBO_TOKEN_REFRESH_FAILURES

from .config import QuickBooksConfig
from .errors import QuickBooksAuthError, QuickBooksError, QuickBooksNotConnectedError
from .oauth import OAuthRejectedError, TokenGrant, refresh_access_token
from .store import UNDECRYPTABLE, ConnectionStatus, ConnectionStore, StoredTokens

log = structlog.get_logger(__name__)

_PERSIST_ATTEMPTS = 3
_PERSIST_BACKOFF_SECONDS = 0.5


@dataclass(frozen=True, slots=True, repr=False)
class AccessToken:
    realm_id: str
    token: SecretStr
    expires_at: datetime

    def __repr__(self) -> str:
        return f"AccessToken(realm_id={self.realm_id!r}, <redacted>)"


def broken_error(tenant_id: str, reason: str | None) -> QuickBooksAuthError:
    return QuickBooksAuthError(
        f"The QuickBooks connection of tenant {tenant_id!r} is broken "
        f"({reason or 'credentials refused'}). {ERROR_CATALOG[ErrorCode.QBO_AUTH].what_to_do}",
        details={"tenant_id": tenant_id, "broken_reason": reason},
    )


class TokenProvider:
    def __init__(
        self,
        store: ConnectionStore,
        pool: asyncpg.Pool,
        http: httpx.AsyncClient,
        config: QuickBooksConfig,
    ) -> None:
        self._store = store
        self._pool = pool
        self._http = http
        self._config = config
        self._cache: dict[str, AccessToken] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _fresh(self, token: SecretStr | None, expires_at: datetime | None) -> bool:
        if token is None or expires_at is None:
            return False
        margin = timedelta(seconds=self._config.access_token_refresh_margin_seconds)
        return expires_at - margin > datetime.now(UTC)

    def _usable(self, stored: StoredTokens, rejected: SecretStr | None) -> AccessToken | None:
        if not self._fresh(stored.access_token, stored.info.access_token_expires_at):
            return None
        assert stored.access_token is not None
        assert stored.info.access_token_expires_at is not None
        if rejected is not None and stored.access_token == rejected:
            return None
        return AccessToken(
            stored.info.realm_id, stored.access_token, stored.info.access_token_expires_at
        )

    def forget(self, tenant_id: str) -> None:
        self._cache.pop(tenant_id, None)

    async def get(self, tenant_id: str, *, rejected: SecretStr | None = None) -> AccessToken:
        """A usable access token; `rejected` is one QuickBooks just answered 401 to."""
        cached = self._cache.get(tenant_id)
        if cached and self._fresh(cached.token, cached.expires_at) and cached.token != rejected:
            return cached
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        async with lock:
            cached = self._cache.get(tenant_id)
            if cached and self._fresh(cached.token, cached.expires_at) and cached.token != rejected:
                return cached
            try:
                stored = await self._store.load_tokens(tenant_id)
            except TokenDecryptionError:
                # Retrying cannot help, and each retry would hold an executor slot: the
                # connection is marked broken, so no more background work is scheduled for it.
                await self._store.mark_undecryptable(tenant_id)
                raise broken_error(tenant_id, UNDECRYPTABLE) from None
            self._check_status(tenant_id, stored)
            assert stored is not None
            token = self._usable(stored, rejected) or await self._refresh(tenant_id, rejected)
            self._cache[tenant_id] = token
            return token

    @staticmethod
    def _check_status(tenant_id: str, stored: StoredTokens | None) -> None:
        if stored is None:
            raise QuickBooksNotConnectedError(tenant_id)
        if stored.info.status is ConnectionStatus.BROKEN:
            raise broken_error(tenant_id, stored.info.broken_reason)

    async def _refresh(self, tenant_id: str, rejected: SecretStr | None) -> AccessToken:
        rejection: OAuthRejectedError | None = None
        grant: TokenGrant | None = None
        version = 0
        realm_id = ""
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                stored = await self._store.load_tokens(tenant_id, conn=conn, for_update=True)
                self._check_status(tenant_id, stored)
                assert stored is not None
                reusable = self._usable(stored, rejected)
                if reusable is not None:
                    log.debug("qbo_token_reused", tenant_id=tenant_id, realm_id=reusable.realm_id)
                    return reusable
                version = stored.info.token_version
                realm_id = stored.info.realm_id
                try:
                    grant = await refresh_access_token(
                        self._http, self._config, stored.refresh_token
                    )
                except OAuthRejectedError as exc:
                    rejection = exc
                    QBO_TOKEN_REFRESH_FAILURES.inc()
                    await self._store.mark_broken(
                        tenant_id, exc.reason, expected_version=version, conn=conn
                    )
                else:
                    if not await self._store.save_grant(
                        tenant_id, grant, expected_version=version, conn=conn
                    ):
                        # Only possible if the row was deleted (disconnect) meanwhile.
                        raise QuickBooksNotConnectedError(tenant_id)
        except DB_ERRORS:
            if grant is None:
                raise
            # Intuit has rotated the refresh token but our commit failed: the new one is the
            # only one that works now, so keep trying to store it before giving up.
            await self._persist_after_failed_commit(tenant_id, grant, version)
        if rejection is not None:
            log.warning(
                "qbo_connection_broken",
                tenant_id=tenant_id,
                realm_id=realm_id,
                reason=rejection.reason,
            )
            raise broken_error(tenant_id, rejection.reason)
        assert grant is not None
        log.info("qbo_token_refreshed", tenant_id=tenant_id, realm_id=realm_id)
        return AccessToken(realm_id, grant.access_token, grant.access_token_expires_at)

    async def _persist_after_failed_commit(
        self, tenant_id: str, grant: TokenGrant, version: int
    ) -> None:
        for attempt in range(_PERSIST_ATTEMPTS):
            await asyncio.sleep(_PERSIST_BACKOFF_SECONDS * (attempt + 1))
            try:
                if await self._store.save_grant(tenant_id, grant, expected_version=version):
                    return
                break
            except DB_ERRORS:
                continue
        log.error("qbo_token_rotation_not_persisted", tenant_id=tenant_id)
        raise QuickBooksError(
            ErrorCode.QBO_UNAVAILABLE,
            "The rotated QuickBooks refresh token could not be stored (database unavailable); "
            "the connection may need to be reconnected if this persists.",
            details={"tenant_id": tenant_id},
        )
