"""Which invoice versions of a consumed batch are stored and which arrived too late (pure).

Applying a batch's invoice events one at a time keeps, per invoice, the highest version seen:
an event is stored when its version is above the one held (in the database or stored earlier
in the same batch), and stale otherwise. `plan` gives exactly those per-event answers from the
versions held before the batch, so the batch can be written with one statement
(`snapshots.store_many`) that stores only the `newest` event of each invoice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

InvoiceKey = tuple[str, str]  # (tenant_id, invoice_id)


@dataclass(frozen=True, slots=True)
class Version:
    tenant_id: str
    invoice_id: str
    version: int

    @property
    def key(self) -> InvoiceKey:
        return (self.tenant_id, self.invoice_id)


@dataclass(frozen=True, slots=True)
class Stored:
    """Stored: `replaces` is the version of the same invoice stored earlier in this batch
    (None for the invoice's first stored event, which replaces what was held before)."""

    replaces: int | None


@dataclass(frozen=True, slots=True)
class Stale:
    """Not stored: `held` is the version held when this event came (equal or newer)."""

    held: int


Decision = Stored | Stale


def newest(events: Sequence[Version]) -> dict[InvoiceKey, int]:
    """Per invoice, the index of the event whose snapshot ends up held if it is new enough:
    the first event carrying the invoice's highest version (a later equal one is stale)."""
    best: dict[InvoiceKey, int] = {}
    for index, event in enumerate(events):
        current = best.get(event.key)
        if current is None or event.version > events[current].version:
            best[event.key] = index
    return best


def plan(events: Sequence[Version], prior: Mapping[InvoiceKey, int | None]) -> list[Decision]:
    """One decision per event, in order; `prior` is the version held before the batch."""
    held = dict(prior)
    stored_here: set[InvoiceKey] = set()
    decisions: list[Decision] = []
    for event in events:
        current = held.get(event.key)
        if current is not None and event.version <= current:
            decisions.append(Stale(current))
            continue
        decisions.append(Stored(current if event.key in stored_here else None))
        held[event.key] = event.version
        stored_here.add(event.key)
    return decisions


def last_stored(events: Sequence[Version], decisions: Sequence[Decision]) -> list[Version]:
    """The final stored version of each invoice, ordered by the event that stored it (the
    order in which one-at-a-time processing would leave their units queued)."""
    last: dict[InvoiceKey, int] = {}
    for index, (event, decision) in enumerate(zip(events, decisions, strict=True)):
        if isinstance(decision, Stored):
            last[event.key] = index
    return [events[i] for i in sorted(last.values())]
