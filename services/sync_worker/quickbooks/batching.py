"""Creates that queue behind a company's rate limit go out together, as one `/batch`.

Why at the rate gate: a create asked for alone goes out alone (no added latency). Creates
that wait for the company's rate limit leave together: at each grant, the waiting ones are
spread over the requests the current second still allows (`RealmWindow.batch_size`, which
also keeps the minute's call budget and 40 batches a minute). QuickBooks counts a `/batch`
as one request per second and one call per item per minute, but runs its items one after
another (Intuit), so a big batch is slow: a batch carries at most `batch_target` items,
the size that moves the company's backlog fastest for its measured time per item.

Idempotency: a `/batch` has one `requestid`, derived from its items' own ids, and a
retried attempt resends the identical body, so QuickBooks replays a batch it committed.
Items only join a batch when the caller can find an earlier create again by DocNumber
(`batchable`); a unit that never learnt its item's fate looks it up on its next attempt.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from dataclasses import dataclass, field
from typing import Any

from .attempts import Prepaid
from .client_core import entity_of, unexpected_body
from .faults import fault_to_error, parse_item_fault
from .rate_limit import Grant, RateGate
from .transport import RequestExecutor

MAX_ITEMS = 30  # Intuit: at most 30 operations per batch request
# Until a company has answered: about what Intuit takes for one create.
_ASSUMED_ITEM_SECONDS = 0.4
_SMOOTHING = 0.2
ENDPOINT = "invoice.create.batch"
CREATE_ENDPOINT = "invoice.create"


@dataclass(slots=True)
class _Item:
    body: dict[str, Any]
    request_id: str
    answer: asyncio.Future[dict[str, Any]]


@dataclass(slots=True)
class _Queue:
    items: list[_Item] = field(default_factory=list)
    sender: asyncio.Task[None] | None = None


BATCH_REQUEST_ID_LENGTH = 36  # Intuit: a `/batch` requestid has at most 36 characters


def batch_target(in_flight: int, per_second: int, item_seconds: float) -> int:
    """Items per batch that move a company's backlog fastest. QuickBooks runs a batch's items
    one after another, so batches of k carry at most `per_second`·k items a second, and `in_flight`
    creates (the executor's per-company limit) finish at most in_flight / (k·item_seconds)
    a second: the larger of the two minima is at k = sqrt(in_flight / (per_second·item_seconds)).
    At 16 in flight, 10/s and 0.4 s per item: 2 (20 invoices/s instead of 10)."""
    if item_seconds <= 0:
        return MAX_ITEMS
    best = math.sqrt(in_flight / (per_second * item_seconds))
    return max(1, min(MAX_ITEMS, round(best)))


def batch_request_id(request_ids: list[str]) -> str:
    """The same items give the same id, in any order."""
    digest = hashlib.sha256("\x1f".join(sorted(request_ids)).encode()).hexdigest()
    return "b" + digest[: BATCH_REQUEST_ID_LENGTH - 1]


class CreateBatcher:
    """One per replica; creates queue per (tenant, company)."""

    def __init__(
        self,
        executor: RequestExecutor,
        gate: RateGate,
        max_items: int,
        *,
        in_flight: int = 16,
        per_second: int = 10,
    ) -> None:
        self._executor = executor
        self._gate = gate
        self._max_items = max(1, min(max_items, MAX_ITEMS))
        self._in_flight = in_flight
        self._per_second = per_second
        self._queues: dict[tuple[str, str], _Queue] = {}
        self._sending: set[asyncio.Task[None]] = set()
        # Seconds QuickBooks takes per item, per company (moving average of its answers).
        self._item_seconds: dict[str, float] = {}

    async def create(
        self, tenant_id: str, realm_id: str, body: dict[str, Any], request_id: str
    ) -> dict[str, Any]:
        """The created invoice (QuickBooks' JSON), or the QuickBooksError for this item."""
        key = (tenant_id, realm_id)
        queue = self._queues.setdefault(key, _Queue())
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        queue.items.append(_Item(body, request_id, answer))
        if queue.sender is None or queue.sender.done():
            queue.sender = asyncio.create_task(self._drain(key, queue))
        return await answer

    async def _drain(self, key: tuple[str, str], queue: _Queue) -> None:
        """Takes a rate grant, then sends whatever is waiting at that moment."""
        tenant_id, realm_id = key
        try:
            while queue.items:
                grant = await self._gate.acquire(realm_id)
                size = grant.batch_size(len(queue.items), self._most(realm_id))
                taken, queue.items[:size] = queue.items[:size], []
                taken = [item for item in taken if not item.answer.done()]  # cancelled
                if not taken:
                    continue  # the slot stays recorded as used: the safe side
                task = asyncio.create_task(self._send(tenant_id, realm_id, grant, taken))
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)
        except BaseException as exc:  # RealmNotHeld, cancellation: every waiter learns it
            for item in queue.items:
                _fail(item, exc if isinstance(exc, Exception) else asyncio.CancelledError())
            queue.items.clear()
            if not isinstance(exc, Exception):
                raise
        finally:
            if not queue.items and self._queues.get(key) is queue:
                del self._queues[key]

    def _most(self, realm_id: str) -> int:
        seconds = self._item_seconds.get(realm_id, _ASSUMED_ITEM_SECONDS)
        target = batch_target(self._in_flight, self._per_second, seconds)
        return min(self._max_items, target)

    def _observe(self, realm_id: str, seconds: float, items: int) -> None:
        sample = seconds / items
        previous = self._item_seconds.get(realm_id)
        self._item_seconds[realm_id] = (
            sample if previous is None else previous + _SMOOTHING * (sample - previous)
        )

    async def _send(self, tenant_id: str, realm_id: str, grant: Grant, items: list[_Item]) -> None:
        started = time.monotonic()
        try:
            if len(items) == 1:
                await self._send_one(tenant_id, realm_id, grant, items[0])
            else:
                await self._send_batch(tenant_id, realm_id, grant, items)
            self._observe(realm_id, time.monotonic() - started, len(items))
        except Exception as exc:
            for item in items:
                _fail(item, exc)

    async def _send_one(self, tenant_id: str, realm_id: str, grant: Grant, item: _Item) -> None:
        data = await self._executor.send(
            tenant_id=tenant_id,
            method="POST",
            path="invoice",
            endpoint=CREATE_ENDPOINT,
            body=item.body,
            request_id=item.request_id,
            prepaid=Prepaid(grant, realm_id, 1),
        )
        _answer(item, entity_of(data, "Invoice", CREATE_ENDPOINT))

    async def _send_batch(
        self, tenant_id: str, realm_id: str, grant: Grant, items: list[_Item]
    ) -> None:
        requests = [
            {"bId": f"b{n}", "operation": "create", "Invoice": item.body}
            for n, item in enumerate(items, 1)
        ]
        data = await self._executor.send(
            tenant_id=tenant_id,
            method="POST",
            path="batch",
            endpoint=ENDPOINT,
            body={"BatchItemRequest": requests},
            request_id=batch_request_id([item.request_id for item in items]),
            prepaid=Prepaid(grant, realm_id, len(items)),
        )
        responses = data.get("BatchItemResponse")
        by_id = {
            r.get("bId"): r
            for r in (responses if isinstance(responses, list) else [])
            if isinstance(r, dict)
        }
        for n, item in enumerate(items, 1):
            _settle(item, by_id.get(f"b{n}"))


def _settle(item: _Item, response: dict[str, Any] | None) -> None:
    if response is not None and isinstance(response.get("Invoice"), dict):
        _answer(item, response["Invoice"])
    elif response is not None and isinstance(response.get("Fault"), dict):
        _fail(item, fault_to_error(parse_item_fault(response), CREATE_ENDPOINT))
    else:
        _fail(item, unexpected_body(ENDPOINT, "no answer for the item"))


def _answer(item: _Item, invoice: dict[str, Any]) -> None:
    if not item.answer.done():
        item.answer.set_result(invoice)


def _fail(item: _Item, error: BaseException) -> None:
    if not item.answer.done():
        item.answer.set_exception(error)
