"""Driving the QuickBooks sandbox's admin API (`/_sandbox/...`) from tests."""

from __future__ import annotations

from typing import Any

import httpx


class SandboxAdmin:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._http = httpx.AsyncClient(base_url=base_url, timeout=10)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> SandboxAdmin:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def create_realm(
        self,
        *,
        items: list[dict[str, Any]] | None = None,
        customers: list[dict[str, Any]] | None = None,
        settings: dict[str, Any] | None = None,
        limits: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"items": items or [], "customers": customers or []}
        if settings:
            body["settings"] = settings
        if limits:
            body["limits"] = limits
        response = await self._http.post("/_sandbox/realms", json=body)
        response.raise_for_status()
        realm: dict[str, Any] = response.json()
        return realm

    async def invoices(self, realm_id: str) -> list[dict[str, Any]]:
        response = await self._http.get(f"/_sandbox/realms/{realm_id}/invoices")
        response.raise_for_status()
        invoices: list[dict[str, Any]] = response.json()["invoices"]
        return invoices

    async def live_invoices(self, realm_id: str) -> list[dict[str, Any]]:
        return [i for i in await self.invoices(realm_id) if not i.get("deleted")]

    async def edit_invoice(self, realm_id: str, invoice_id: str, fields: dict[str, Any]) -> Any:
        response = await self._http.patch(
            f"/_sandbox/realms/{realm_id}/invoices/{invoice_id}", json=fields
        )
        response.raise_for_status()
        return response.json()

    async def delete_invoice(self, realm_id: str, invoice_id: str) -> None:
        response = await self._http.delete(f"/_sandbox/realms/{realm_id}/invoices/{invoice_id}")
        response.raise_for_status()

    async def add_fault(self, realm_id: str, **fault: Any) -> None:
        response = await self._http.post(f"/_sandbox/realms/{realm_id}/faults", json=fault)
        response.raise_for_status()

    async def clear_faults(self, realm_id: str) -> None:
        response = await self._http.delete(f"/_sandbox/realms/{realm_id}/faults")
        response.raise_for_status()

    async def stats(self, realm_id: str) -> dict[str, Any]:
        response = await self._http.get(f"/_sandbox/realms/{realm_id}/stats")
        response.raise_for_status()
        stats: dict[str, Any] = response.json()
        return stats

    async def set_latency(self, realm_id: str | None = None, **profile: Any) -> dict[str, Any]:
        """`profile="intuit"|"off"|"global"` or `p50_ms=..., p99_ms=...`; global without a realm."""
        path = f"/_sandbox/realms/{realm_id}/latency" if realm_id else "/_sandbox/latency"
        response = await self._http.put(path, json=profile)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    async def expire_access_tokens(self, realm_id: str) -> None:
        response = await self._http.post(f"/_sandbox/realms/{realm_id}/expire-access-tokens")
        response.raise_for_status()

    async def reconnect(self, realm_id: str) -> dict[str, Any]:
        """A fresh authorisation of the realm: its new refresh token, as a user reconnecting."""
        return await self.call("POST", f"realms/{realm_id}/reconnect")

    async def void_invoice(self, realm_id: str, invoice_id: str) -> None:
        """Voids the invoice as a QuickBooks user would."""
        await self.call("POST", f"realms/{realm_id}/invoices/{invoice_id}/void")

    async def call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        """Any other admin call: `path` below `/_sandbox/`; the answer's JSON."""
        response = await self._http.request(method, f"/_sandbox/{path}", json=body)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    async def set_webhook(self, url: str, verifier_token: str) -> None:
        response = await self._http.put(
            "/_sandbox/webhook", json={"url": url, "verifier_token": verifier_token}
        )
        response.raise_for_status()
