"""Applies consecutive invoice events of a consumed batch with a few set-based statements.

The results are exactly those of applying the events one at a time (`versions.plan`): per
event, stored or stale; for a stored one in One-Way Push, MANUAL_PUSH_MODE when QuickBooks holds
an older copy of the invoice (the copy is now behind and only a push updates it) and nothing
when QuickBooks has none (nothing was sent, nothing changed there); in two-way mode an auto
unit and SUPERSEDED for the queued versions it replaces. Only the last stored version of an
invoice gets a unit: the versions it replaces within the run are reported superseded without
one. Statements: one snapshot upsert, one settings read (tenants not read yet in this batch),
one unit queueing for the two-way tenants and one ledger read for the One-Way Push ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence

import asyncpg

from services.contract.errors import ErrorCode
from services.contract.invoices import InvoiceCreated, InvoiceDeleted, InvoiceUpdated, InvoiceVoided
from services.contract.results import Trigger
from services.platform.outbox import OutboxMessage
from services.sync_worker.invoices import snapshots
from services.sync_worker.invoices.versions import (
    Decision,
    InvoiceKey,
    Stale,
    Stored,
    Version,
    last_stored,
    newest,
    plan,
)
from services.sync_worker.results.builders import ResultSubject, display_of, skipped, sync_error
from services.sync_worker.sync import ledger
from services.sync_worker.sync.auto_units import queue_auto_many
from services.sync_worker.tenants.model import TenantSettings

InvoiceEvent = InvoiceCreated | InvoiceUpdated | InvoiceVoided | InvoiceDeleted
SettingsOf = Callable[[asyncpg.Connection, Collection[str]], Awaitable[dict[str, TenantSettings]]]


async def apply_invoice_run(
    conn: asyncpg.Connection, events: Sequence[InvoiceEvent], settings_of: SettingsOf
) -> list[OutboxMessage]:
    versions = [Version(e.tenant_id, e.invoice.invoice_id, e.invoice.version) for e in events]
    decisions = await _store(conn, events, versions)
    stored = [v for v, d in zip(versions, decisions, strict=True) if isinstance(d, Stored)]
    settings = await settings_of(conn, {v.tenant_id for v in stored})
    two_way = [v for v in last_stored(versions, decisions) if not settings[v.tenant_id].manual_push]
    replaced = await queue_auto_many(conn, two_way)
    copies = await ledger.copies_in_quickbooks(
        conn, {v.key for v in stored if settings[v.tenant_id].manual_push}
    )
    messages: list[OutboxMessage] = []
    for event, decision in zip(events, decisions, strict=True):
        key = (event.tenant_id, event.invoice.invoice_id)
        if isinstance(decision, Stale):
            messages.append(_arrived_late(event, decision.held))
        elif settings[event.tenant_id].manual_push:
            if key in copies:
                messages.append(_behind_quickbooks_copy(event, copies[key]))
        elif decision.replaces is not None:
            messages.append(_replaced(event, decision.replaces))
        else:
            messages.extend(_replaced(event, u.invoice_version) for u in replaced.get(key, []))
    return messages


async def _store(
    conn: asyncpg.Connection, events: Sequence[InvoiceEvent], versions: Sequence[Version]
) -> list[Decision]:
    """Stores each invoice's newest event in one statement and plans every event. An invoice
    whose newest version was not stored although it is above the version read (another
    transaction stored a version since) is redone one event at a time."""
    best = newest(versions)
    answers = await snapshots.store_many(
        conn,
        [
            snapshots.NewSnapshot(
                versions[i].tenant_id,
                versions[i].invoice_id,
                versions[i].version,
                events[i].event_type,
                events[i].invoice.model_dump_json(),
            )
            for i in best.values()
        ],
    )
    prior = {key: answer.prior for key, answer in answers.items()}
    lost = {
        key
        for key, answer in answers.items()
        if not answer.stored and (answer.prior or 0) < versions[best[key]].version
    }
    decisions = plan(versions, prior)
    if lost:
        await _redo_one_by_one(conn, events, versions, decisions, lost)
    return decisions


async def _redo_one_by_one(
    conn: asyncpg.Connection,
    events: Sequence[InvoiceEvent],
    versions: Sequence[Version],
    decisions: list[Decision],
    lost: set[InvoiceKey],
) -> None:
    stored_here: dict[InvoiceKey, int] = {}
    for index, (event, version) in enumerate(zip(events, versions, strict=True)):
        if version.key not in lost:
            continue
        invoice = event.invoice
        held = await snapshots.store_if_newer(conn, event.tenant_id, event.event_type, invoice)
        if held is not None:
            decisions[index] = Stale(held)
        else:
            decisions[index] = Stored(stored_here.get(version.key))
            stored_here[version.key] = version.version


def _subject(event: InvoiceEvent, version: int | None) -> ResultSubject:
    invoice = event.invoice
    return ResultSubject(
        event.tenant_id, invoice.invoice_id, version, Trigger.AUTO, display=display_of(invoice)
    )


def _arrived_late(event: InvoiceEvent, held: int) -> OutboxMessage:
    text = f"Version {event.invoice.version} arrived after version {held}."
    return skipped(_subject(event, event.invoice.version), sync_error(ErrorCode.SUPERSEDED, text))


def _behind_quickbooks_copy(event: InvoiceEvent, copy: ledger.QuickBooksCopy) -> OutboxMessage:
    number = copy.external_number or "no number"
    change = event.event_type.removeprefix("invoice.")
    text = (
        f"Version {event.invoice.version} ({change}) is newer than the copy in QuickBooks "
        f"({number}, sent at version {copy.synced_version}): One-Way Push does not send "
        "changes by itself."
    )
    details = {"external_number": copy.external_number, "synced_version": copy.synced_version}
    error = sync_error(ErrorCode.MANUAL_PUSH_MODE, text, details)
    return skipped(_subject(event, event.invoice.version), error)


def _replaced(event: InvoiceEvent, older: int | None) -> OutboxMessage:
    text = f"Version {older} was replaced by version {event.invoice.version} before it was sent."
    return skipped(_subject(event, older), sync_error(ErrorCode.SUPERSEDED, text))
