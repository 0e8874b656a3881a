"""The gateway's HTTP API as seen by `syncctl`.

Transport errors are retried a bounded number of times (POSTs carry an `Idempotency-Key`,
so a retried POST cannot act twice), then surface as `Unreachable`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx

from services.gateway.cli.sse_client import ServerSentEvent, read_events

ATTEMPTS = 3
RETRY_DELAYS = (0.5, 1.5)
CONNECT_TIMEOUT = 3.0


class ApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("detail") or body.get("title") or f"HTTP {status}")
        self.status = status
        self.body = body


class Unreachable(Exception):
    """The gateway could not be reached (after retrying)."""


def describe_transport(exc: httpx.TransportError) -> str:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}{': ' + reason if reason else ''}"


def api_error(response: httpx.Response) -> ApiError:
    try:
        body: dict[str, Any] = response.json()
        if not isinstance(body, dict):
            body = {"detail": str(body)[:200]}
    except ValueError:
        body = {"detail": response.text[:200].strip() or response.reason_phrase}
    return ApiError(response.status_code, body)


class GatewayClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT),
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if method == "POST":
            kwargs["headers"] = {"Idempotency-Key": str(uuid.uuid4()), **kwargs.get("headers", {})}
        started = time.monotonic()
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await self._http.request(method, path, **kwargs)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise Unreachable(f"invalid gateway URL {self.base_url!r}: {exc}") from exc
            except httpx.TransportError as exc:
                if attempt == ATTEMPTS:
                    raise Unreachable(
                        f"cannot reach the gateway at {self.base_url} ({describe_transport(exc)}) "
                        f"after {ATTEMPTS} attempts in {time.monotonic() - started:.1f} s"
                    ) from exc
                await asyncio.sleep(RETRY_DELAYS[attempt - 1])
        raise AssertionError("unreachable")  # pragma: no cover

    async def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = await self._send(method, path, **kwargs)
        if response.status_code >= 400:
            raise api_error(response)
        try:
            body: dict[str, Any] = response.json()
        except ValueError as exc:
            raise ApiError(response.status_code, {"detail": "the answer is not JSON"}) from exc
        return body

    async def push(self, tenant: str, invoice_ids: list[str], *, confirm: bool) -> dict[str, Any]:
        return await self._json(
            "POST",
            f"/v1/tenants/{tenant}/push-batches",
            json={"invoice_ids": invoice_ids, "confirm_overwrite": confirm},
        )

    async def retry_failed(self, tenant: str, batch_id: str, *, confirm: bool) -> dict[str, Any]:
        return await self._json(
            "POST",
            f"/v1/tenants/{tenant}/push-batches/{batch_id}/retry-failed",
            json={"confirm_overwrite": confirm},
        )

    async def batch(self, tenant: str, batch_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/v1/tenants/{tenant}/push-batches/{batch_id}")

    async def invoices(
        self, tenant: str, batch_id: str, *, status: str | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        params = {"status": status} if status else {}
        path = f"/v1/tenants/{tenant}/push-batches/{batch_id}/invoices"
        async for item in self.pages(path, params, limit=10**9, page_size=1000):
            yield item

    async def pages(
        self, path: str, params: dict[str, str], *, limit: int, page_size: int = 500
    ) -> AsyncIterator[dict[str, Any]]:
        """Items of a keyset-paged list, following `next_cursor`, at most `limit`."""
        cursor: str | None = None
        sent = 0
        while sent < limit:
            query = {**params, "limit": str(min(limit - sent, page_size))}
            if cursor:
                query["cursor"] = cursor
            page = await self._json("GET", path, params=query)
            for item in page["items"]:
                yield item
                sent += 1
            cursor = page["next_cursor"]
            if not cursor:
                return

    async def connection(self, tenant: str) -> dict[str, Any]:
        return await self._json("GET", f"/v1/tenants/{tenant}/quickbooks-connection")

    async def ops_overview(self) -> dict[str, Any]:
        return await self._json("GET", "/v1/ops/overview")

    async def sync_status(self, tenant: str, invoice_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/v1/tenants/{tenant}/invoices/{invoice_id}/sync-status")

    def events(
        self, tenant: str, batch_id: str, *, last_event_id: str | None = None
    ) -> AsyncIterator[ServerSentEvent]:
        return read_events(
            self._http,
            f"/v1/tenants/{tenant}/push-batches/{batch_id}/events",
            last_event_id=last_event_id,
            on_error=api_error,
        )
