"""Background delivery of signed QBO change notifications (legacy `eventNotifications` form).

Events are buffered for `batch_delay` seconds, then POSTed as one payload signed with
`intuit-signature: base64(HMAC-SHA256(verifier, raw body))`. A failed delivery (non-2xx
or transport error) is retried after each of `retry_delays`; the API never waits for it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from .domain.events import ChangeEvent

log = logging.getLogger(__name__)


def sign(verifier_token: str, body: bytes) -> str:
    digest = hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def build_payload(events: Sequence[ChangeEvent]) -> dict[str, Any]:
    by_realm: dict[str, list[dict[str, str]]] = {}
    for event in events:
        by_realm.setdefault(event.realm_id, []).append(
            {
                "name": event.entity,
                "id": event.entity_id,
                "operation": event.operation,
                "lastUpdated": event.last_updated,
            }
        )
    return {
        "eventNotifications": [
            {"realmId": realm_id, "dataChangeEvent": {"entities": entities}}
            for realm_id, entities in by_realm.items()
        ]
    }


@dataclass
class DeliveryStats:
    delivered: int = 0
    failed: int = 0
    attempts: int = 0
    dropped_events: int = 0
    last_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class WebhookDispatcher:
    url: str | None = None
    verifier_token: str | None = None
    batch_delay: float = 0.5
    retry_delays: tuple[float, ...] = (0.2, 0.5, 1.0, 2.0)
    timeout: float = 3.0
    stats: DeliveryStats = field(default_factory=DeliveryStats)
    # Called with every undelivered event (pending and in flight) whenever that set changes.
    on_change: Callable[[list[ChangeEvent]], None] | None = None

    def __post_init__(self) -> None:
        self._pending: list[ChangeEvent] = []
        self._in_flight: list[list[ChangeEvent]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._flush_scheduled = False
        self._client: httpx.AsyncClient | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.url and self.verifier_token)

    def configure(self, url: str | None, verifier_token: str | None) -> None:
        self.url, self.verifier_token = url, verifier_token
        self._schedule()

    def undelivered(self) -> list[ChangeEvent]:
        return [*self._pending, *(e for batch in self._in_flight for e in batch)]

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.undelivered())

    def restore(self, events: list[ChangeEvent]) -> None:
        """Events that were undelivered when the last process stopped: sent once enabled."""
        self._pending.extend(events)
        self._schedule()

    def _schedule(self) -> None:
        if self.enabled and self._pending and not self._flush_scheduled:
            self._flush_scheduled = True
            self._spawn(self._flush_later())

    def describe(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "enabled": self.enabled,
            "pending": len(self._pending),
            "in_flight": len(self._tasks),
            **self.stats.as_dict(),
        }

    def enqueue(self, event: ChangeEvent) -> None:
        """Event sink for realms; must be called from the event loop thread."""
        if not self.enabled:
            self.stats.dropped_events += 1
            return
        self._pending.append(event)
        self._changed()
        self._schedule()

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush_later(self) -> None:
        await asyncio.sleep(self.batch_delay)
        self._flush_scheduled = False
        events, self._pending = self._pending, []
        if not (events and self.url and self.verifier_token):
            self._pending[:0] = events
            return
        self._in_flight.append(events)
        # Cancelled at shutdown: the events stay in the saved queue for the next start.
        await self._deliver(self.url, self.verifier_token, events)
        self._in_flight.remove(events)
        self._changed()

    async def _deliver(self, url: str, verifier: str, events: list[ChangeEvent]) -> None:
        body = json.dumps(build_payload(events), separators=(",", ":")).encode()
        headers = {"content-type": "application/json", "intuit-signature": sign(verifier, body)}
        delays = (0.0, *self.retry_delays)
        for attempt, delay in enumerate(delays, start=1):
            if delay:
                await asyncio.sleep(delay)
            self.stats.attempts += 1
            try:
                response = await self._http().post(url, content=body, headers=headers)
                if 200 <= response.status_code < 300:
                    self.stats.delivered += 1
                    return
                self.stats.last_error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
            log.info("webhook attempt %d to %s failed: %s", attempt, url, self.stats.last_error)
        self.stats.failed += 1

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout)
        return self._client

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
