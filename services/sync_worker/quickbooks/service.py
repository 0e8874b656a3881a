"""Entry point for the worker: owns the HTTP client, token cache and realm pacer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import TracebackType

import asyncpg
import httpx
from pydantic import SecretStr

from services.contract.connections import (
    QuickBooksConnectionRequested,
    QuickBooksDisconnectRequested,
)
from services.platform.crypto import TokenCipher

from .batching import CreateBatcher
from .client import QuickBooksClient
from .config import QuickBooksConfig
from .errors import QuickBooksNotConnectedError
from .metrics import MetricsHook
from .pacer import RealmPacer
from .rate_window import RateLimits
from .realm_leases import RealmLeaseStore
from .store import ConnectionInfo, ConnectionStatus, ConnectionStore
from .tokens import TokenProvider, broken_error
from .transport import RequestExecutor

_CONNECTIONS_PER_CLIENT = 32


def _api_clients(config: QuickBooksConfig) -> list[httpx.AsyncClient]:
    """Requests in flight follow QuickBooks' latency (10/s x 0.4 s = 4 per company), so
    hundreds of companies need hundreds of kept-alive connections. They are spread over
    clients of at most 32 connections: httpcore scans a client's whole pool for every
    request, so one pool of hundreds costs more CPU than the requests themselves."""
    timeout = httpx.Timeout(config.request_timeout_seconds, connect=config.connect_timeout_seconds)
    per_client = min(config.max_connections, _CONNECTIONS_PER_CLIENT)
    limits = httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client)
    count = max(config.max_connections // per_client, 1)
    # One TLS context for all: building one loads the CA bundle (tens of ms of CPU each).
    tls = httpx.create_ssl_context()
    return [httpx.AsyncClient(timeout=timeout, limits=limits, verify=tls) for _ in range(count)]


class QuickBooksService:
    """One per process. `await service.client(tenant_id)` gives a tenant-bound client.

    `pool` must reach the `sync_worker` schema (search_path) where 0002_quickbooks.sql ran.
    """

    def __init__(
        self,
        config: QuickBooksConfig,
        pool: asyncpg.Pool,
        *,
        http_client: httpx.AsyncClient | None = None,
        metrics: MetricsHook | None = None,
        owner: str | None = None,
        lease_pool: asyncpg.Pool | None = None,
    ) -> None:
        """`owner` names this replica in `realm_leases` (the worker id); one per process.
        `lease_pool`: connections for lease renewals only, so that units queueing for the
        main pool can never delay a renewal past the lease deadline."""
        self.config = config
        self._owns_http = http_client is None
        self._api_http = [http_client] if http_client is not None else _api_clients(config)
        self._http = self._api_http[0]
        self._cipher = TokenCipher(config.token_encryption_keys)
        self.connections = ConnectionStore(pool, self._cipher)
        self.rate_gate = RealmPacer(
            RealmLeaseStore(lease_pool or pool, owner or f"qbo-{uuid.uuid4().hex[:12]}"),
            RateLimits(
                config.rate_limit_per_second,
                config.rate_limit_per_minute,
                config.rate_limit_margin_seconds,
                batches_per_minute=config.rate_limit_batches_per_minute,
                items_per_request=config.batch_max_items,
            ),
        )
        self._tokens = TokenProvider(self.connections, pool, self._http, config)
        self._executor = RequestExecutor(
            config, self._api_http, self._tokens, self.rate_gate, metrics
        )
        self._batcher = CreateBatcher(
            self._executor,
            self.rate_gate,
            config.batch_max_items,
            in_flight=config.in_flight_per_company,
            per_second=config.rate_limit_per_second,
        )

    def __repr__(self) -> str:
        return f"QuickBooksService(api_base_url={self.config.api_base_url!r})"

    async def connect_tenant(
        self,
        tenant_id: str,
        realm_id: str,
        refresh_token: str | SecretStr,
        *,
        access_token: str | SecretStr | None = None,
        access_token_expires_in: float | None = None,
        conn: asyncpg.Connection | None = None,
    ) -> ConnectionInfo:
        """Store (or replace) the tenant's connection after the user authorised a company;
        a broken connection becomes usable again. `conn` joins the caller's transaction."""
        access = SecretStr(access_token) if isinstance(access_token, str) else access_token
        expires_at = (
            datetime.now(UTC) + timedelta(seconds=access_token_expires_in)
            if access is not None and access_token_expires_in is not None
            else None
        )
        info = await self.connections.connect(
            tenant_id,
            realm_id,
            SecretStr(refresh_token) if isinstance(refresh_token, str) else refresh_token,
            access_token=access if expires_at is not None else None,
            access_token_expires_at=expires_at,
            conn=conn,
        )
        self._tokens.forget(tenant_id)
        return info

    async def get_connection(self, tenant_id: str) -> ConnectionInfo | None:
        return await self.connections.get(tenant_id)

    async def disconnect(self, tenant_id: str, *, conn: asyncpg.Connection | None = None) -> bool:
        """Destroy the tenant's tokens (does not revoke them at Intuit); later units answer
        NOT_CONNECTED. `conn` joins the caller's transaction."""
        self._tokens.forget(tenant_id)
        return await self.connections.delete(tenant_id, conn=conn)

    async def apply_connection_event(
        self,
        conn: asyncpg.Connection,
        event: QuickBooksConnectionRequested | QuickBooksDisconnectRequested,
    ) -> None:
        """A consumed `sync.connections.v1` event, inside the ingest transaction; the status
        change is reported on `sync.connection-status.v1` in the same transaction."""
        if isinstance(event, QuickBooksDisconnectRequested):
            await self.disconnect(event.tenant_id, conn=conn)
            return
        refresh_token = self._cipher.decrypt(event.refresh_token_encrypted.encode())
        await self.connect_tenant(event.tenant_id, event.realm_id, refresh_token, conn=conn)

    async def client(self, tenant_id: str) -> QuickBooksClient:
        """Raises QuickBooksNotConnectedError (NOT_CONNECTED) or QuickBooksAuthError
        (QBO_AUTH, not retryable) when the tenant cannot call QuickBooks."""
        info = await self.connections.get(tenant_id)
        if info is None:
            raise QuickBooksNotConnectedError(tenant_id)
        if info.status is ConnectionStatus.BROKEN:
            raise broken_error(tenant_id, info.broken_reason)
        return self.client_for(tenant_id, info.realm_id)

    def client_for(self, tenant_id: str, realm_id: str) -> QuickBooksClient:
        """A client without a database read (the connection is checked on first call)."""
        return QuickBooksClient(
            self._executor,
            self.config,
            tenant_id=tenant_id,
            realm_id=realm_id,
            batcher=self._batcher if self.config.batch_max_items > 1 else None,
        )

    async def aclose(self) -> None:
        await self.rate_gate.aclose()
        if self._owns_http:
            for http in self._api_http:
                await http.aclose()

    async def __aenter__(self) -> QuickBooksService:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
