"""The gateway's HTTP API as seen by `syncctl`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from services.gateway.cli.sse_client import ServerSentEvent, read_events


class ApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("detail") or body.get("title") or f"HTTP {status}")
        self.status = status
        self.body = body


class GatewayClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = await self._http.request(method, path, **kwargs)
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            body = {"detail": response.text[:200]}
        if response.status_code >= 400:
            raise ApiError(response.status_code, body)
        return body

    async def push(self, tenant: str, invoice_ids: list[str], *, confirm: bool) -> dict[str, Any]:
        return await self._json(
            "POST",
            f"/v1/tenants/{tenant}/push-batches",
            json={"invoice_ids": invoice_ids, "confirm_overwrite": confirm},
        )

    async def batch(self, tenant: str, batch_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/v1/tenants/{tenant}/push-batches/{batch_id}")

    async def invoices(
        self, tenant: str, batch_id: str, *, status: str | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        cursor: str | None = None
        while True:
            params = {"limit": "1000", **({"status": status} if status else {})}
            if cursor:
                params["cursor"] = cursor
            page = await self._json(
                "GET", f"/v1/tenants/{tenant}/push-batches/{batch_id}/invoices", params=params
            )
            for item in page["items"]:
                yield item
            cursor = page["next_cursor"]
            if not cursor:
                return

    async def pages(
        self, path: str, params: dict[str, str], *, limit: int
    ) -> AsyncIterator[dict[str, Any]]:
        """Items of a keyset-paged list, following `next_cursor`, at most `limit`."""
        cursor: str | None = None
        sent = 0
        while sent < limit:
            query = {**params, "limit": str(min(limit - sent, 500))}
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
        )
