"""Turning notifications into outbox messages: one event per tenant, or a dead letter."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import NAMESPACE_URL, uuid5

from services.contract.parsing import ContractViolation
from services.contract.topics import Topic, tenant_key
from services.contract.webhooks import QuickBooksWebhookReceived
from services.gateway.webhooks.payload import Notification
from services.platform.ingest import RawRecord
from services.platform.ingest.dead_letter import dead_letter
from services.platform.outbox import OutboxMessage, event_message

# Dead letters of webhooks name this as their source "topic" (they came over HTTP).
WEBHOOK_SOURCE = "http:/v1/webhooks/quickbooks"


@dataclass(slots=True)
class Routed:
    messages: list[OutboxMessage] = field(default_factory=list)
    forwarded: int = 0
    dead_lettered: int = 0


def route_notifications(
    notifications: Sequence[Notification],
    tenants_by_realm: Mapping[str, Sequence[str]],
    *,
    failed_by: str,
    now: datetime,
) -> Routed:
    routed = Routed()
    for note in notifications:
        tenants = tenants_by_realm.get(note.realm_id, ())
        if note.error is not None or not tenants:
            reason = note.error or f"no tenant is connected to realm {note.realm_id!r}"
            error_class = "InvalidNotification" if note.error else "UnknownRealm"
            routed.messages.append(_dead_letter(note, error_class, reason, failed_by, now))
            routed.dead_lettered += 1
            continue
        for tenant_id in tenants:
            event = QuickBooksWebhookReceived(
                # Intuit redelivers the same body on retry: the same id lets consumers dedupe.
                event_id=uuid5(NAMESPACE_URL, _fingerprint(tenant_id, note.raw)),
                occurred_at=now,
                tenant_id=tenant_id,
                realm_id=note.realm_id,
                entities=list(note.entities),
            )
            routed.messages.append(
                event_message(Topic.QUICKBOOKS_WEBHOOKS.value, tenant_key(tenant_id), event)
            )
            routed.forwarded += 1
    return routed


def invalid_body(body: bytes, reason: str, *, failed_by: str, now: datetime) -> OutboxMessage:
    return _dead_letter(Notification("", body), "InvalidPayload", reason, failed_by, now)


def _dead_letter(
    note: Notification, error_class: str, reason: str, failed_by: str, now: datetime
) -> OutboxMessage:
    record = RawRecord(WEBHOOK_SOURCE, -1, -1, note.realm_id.encode() or None, note.raw)
    return dead_letter(record, ContractViolation(error_class, reason), failed_by=failed_by, at=now)


def _fingerprint(tenant_id: str, raw: bytes) -> str:
    return f"qbo-webhook:{tenant_id}:{hashlib.sha256(raw).hexdigest()}"
