"""Helpers for tests that drive a real gateway process over HTTP and Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from services.contract.errors import ErrorCode
from services.contract.results import (
    InvoiceSyncFailed,
    InvoiceSyncSkipped,
    InvoiceSyncSucceeded,
    Operation,
    SyncError,
    Trigger,
)
from services.contract.topics import Topic, invoice_key
from services.gateway.cli.sse_client import ServerSentEvent, read_events
from tests.support.environment import ADMIN_TOKEN
from tests.support.kafka import produce_many

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
ResultEvent = InvoiceSyncSucceeded | InvoiceSyncFailed | InvoiceSyncSkipped


def result(
    tenant_id: str,
    batch_id: uuid.UUID | str,
    invoice_id: str,
    status: str = "succeeded",
    *,
    batch_size: int,
    code: ErrorCode = ErrorCode.PRODUCT_NOT_MAPPED,
) -> ResultEvent:
    common: dict[str, Any] = {
        "tenant_id": tenant_id,
        "invoice_id": invoice_id,
        "invoice_version": 1,
        "batch_id": uuid.UUID(str(batch_id)),
        "batch_size": batch_size,
        "trigger": Trigger.PUSH,
    }
    if status == "succeeded":
        return InvoiceSyncSucceeded(
            **common,
            operation=Operation.CREATE,
            external_id=f"qb-{invoice_id}",
            external_number=f"EXT-{invoice_id}",
        )
    error = SyncError(code=code, message=f"{code.value} for {invoice_id}", retryable=False)
    if status == "failed":
        return InvoiceSyncFailed(**common, operation=Operation.NONE, error=error)
    return InvoiceSyncSkipped(
        **common,
        operation=Operation.NONE,
        error=SyncError(code=ErrorCode.SUPERSEDED, message="superseded", retryable=False),
    )


async def publish_results(bootstrap: str, events: list[ResultEvent]) -> None:
    await produce_many(
        bootstrap,
        Topic.RESULTS.value,
        [(invoice_key(e.tenant_id, e.invoice_id), e) for e in events],
    )


async def mint_token(client: httpx.AsyncClient, tenant_id: str, role: str) -> str:
    response = await client.post(
        f"/v1/tenants/{tenant_id}/tokens", json={"role": role}, headers=ADMIN
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


async def connect_tenant(client: httpx.AsyncClient, tenant_id: str) -> None:
    """Connects the tenant through the API (pushes of unconnected tenants answer 409); a
    realm of its own, so webhook routing stays per test. Invalid tenant ids are left alone."""
    realm = str(uuid.uuid5(uuid.NAMESPACE_URL, tenant_id).int % 10**16)
    await client.put(
        f"/v1/tenants/{tenant_id}/quickbooks-connection",
        json={"realm_id": realm, "refresh_token": "rt-for-tests"},
        headers=ADMIN,
    )


async def push(
    client: httpx.AsyncClient, tenant_id: str, invoice_ids: list[str], **extra: Any
) -> httpx.Response:
    await connect_tenant(client, tenant_id)
    body = {"invoice_ids": invoice_ids, "confirm_overwrite": True, **extra}
    return await client.post(f"/v1/tenants/{tenant_id}/push-batches", json=body, headers=ADMIN)


async def wait_for_progress(
    client: httpx.AsyncClient,
    tenant_id: str,
    batch_id: str,
    predicate: Callable[[dict[str, Any]], bool],
    *,
    timeout: float = 60.0,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        response = await client.get(
            f"/v1/tenants/{tenant_id}/push-batches/{batch_id}", headers=headers or ADMIN
        )
        if response.status_code == 200:
            last = response.json()
            if predicate(last):
                return dict(last)
        else:
            last = response.text
        await asyncio.sleep(0.25)
    raise AssertionError(f"progress never matched within {timeout}s; last: {last}")


class EventCollector:
    """Reads a batch's SSE stream in the background and keeps every event."""

    def __init__(
        self, base_url: str, path: str, *, headers: dict[str, str], last_event_id: str | None = None
    ) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, headers=headers)
        self._path = path
        self._last_event_id = last_event_id
        self.events: list[ServerSentEvent] = []
        self.finished = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        try:
            async for event in read_events(
                self._client, self._path, last_event_id=self._last_event_id
            ):
                self.events.append(event)
        finally:
            self.finished.set()

    async def __aenter__(self) -> EventCollector:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await self._task
        await self._client.aclose()

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [json.loads(e.data) for e in self.events if e.event == kind]

    async def wait_for(
        self, predicate: Callable[[list[ServerSentEvent]], bool], timeout: float = 60.0
    ) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.events):
            if self.finished.is_set() and self._task is not None and self._task.done():
                exc = self._task.exception()
                raise AssertionError(f"stream ended early ({exc!r}); events: {self.events[-3:]}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"SSE never matched in {timeout}s; got {len(self.events)} events"
                )
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def gateway_client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield client


async def drain_partitions(
    client: httpx.AsyncClient, bootstrap: str, tenant_id: str, invoice_ids: list[str]
) -> None:
    """Returns once everything published so far under these invoices' keys was consumed.

    An automatic-sync result on the same key lands on the same partition, after the
    earlier records; once the sync-status route shows it, the earlier ones were applied.
    """
    markers = {
        i: InvoiceSyncSucceeded(
            tenant_id=tenant_id,
            invoice_id=i,
            trigger=Trigger.AUTO,
            operation=Operation.UPDATE,
            external_number=f"MARK-{uuid.uuid4().hex[:8]}",
        )
        for i in invoice_ids
    }
    await publish_results(bootstrap, list(markers.values()))
    deadline = time.monotonic() + 60
    for invoice_id, marker in markers.items():
        while True:
            response = await client.get(
                f"/v1/tenants/{tenant_id}/invoices/{invoice_id}/sync-status", headers=ADMIN
            )
            if response.status_code == 200 and (
                response.json()["external_number"] == marker.external_number
            ):
                break
            assert time.monotonic() < deadline, f"marker for {invoice_id} never consumed"
            await asyncio.sleep(0.2)
