"""`versions.plan` gives, per event, what applying the batch one event at a time gives."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

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


def _v(invoice: str, version: int, tenant: str = "t") -> Version:
    return Version(tenant, invoice, version)


def _one_at_a_time(
    events: Sequence[Version], prior: Mapping[InvoiceKey, int | None]
) -> list[Decision]:
    """The per-event rule written out plainly: store when above the held version."""
    held = dict(prior)
    previous_here: dict[InvoiceKey, int] = {}
    out: list[Decision] = []
    for e in events:
        h = held.get(e.key)
        if h is not None and e.version <= h:
            out.append(Stale(h))
        else:
            out.append(Stored(previous_here.get(e.key)))
            held[e.key] = previous_here[e.key] = e.version
    return out


def test_v1_and_v2_of_one_invoice_in_one_batch_are_both_stored() -> None:
    events = [_v("a", 1), _v("a", 2)]
    assert plan(events, {}) == [Stored(None), Stored(1)]
    assert newest(events) == {("t", "a"): 1}
    assert last_stored(events, plan(events, {})) == [_v("a", 2)]


def test_an_older_or_equal_version_is_stale_with_the_version_held() -> None:
    events = [_v("a", 2), _v("a", 3), _v("a", 4), _v("a", 4), _v("a", 3)]
    assert plan(events, {("t", "a"): 3}) == [
        Stale(3),
        Stale(3),
        Stored(None),
        Stale(4),
        Stale(4),
    ]


def test_the_first_event_of_the_highest_version_is_the_one_stored() -> None:
    events = [_v("a", 2), _v("b", 1), _v("a", 5), _v("a", 5), _v("a", 4)]
    assert newest(events) == {("t", "a"): 2, ("t", "b"): 1}


def test_invoices_and_tenants_are_planned_apart() -> None:
    events = [_v("a", 2, "t1"), _v("a", 1, "t2"), _v("a", 1, "t1"), _v("b", 1, "t1")]
    prior = {("t1", "a"): None, ("t2", "a"): 1}
    assert plan(events, prior) == [Stored(None), Stale(1), Stale(2), Stored(None)]


def test_units_are_ordered_by_the_event_that_stored_the_last_version() -> None:
    events = [_v("a", 1), _v("b", 1), _v("a", 2), _v("c", 1), _v("b", 1)]
    decisions = plan(events, {})
    assert decisions[4] == Stale(1)
    assert last_stored(events, decisions) == [_v("b", 1), _v("a", 2), _v("c", 1)]


def test_plan_matches_one_at_a_time_on_random_batches() -> None:
    for seed in range(500):
        _check_random_batch(random.Random(seed))


def _check_random_batch(rng: random.Random) -> None:
    events = [
        _v(rng.choice("abc"), rng.randint(1, 6), rng.choice(["t1", "t2"]))
        for _ in range(rng.randint(1, 12))
    ]
    prior = {e.key: rng.choice([None, 1, 3, 5]) for e in events}
    decisions = plan(events, prior)
    assert decisions == _one_at_a_time(events, prior)
    # The snapshot the database ends with is the newest event's, whenever it is stored.
    for key, index in newest(events).items():
        stored = [
            i for i, d in enumerate(decisions) if isinstance(d, Stored) and events[i].key == key
        ]
        if stored:
            assert events[stored[-1]].version == events[index].version
            assert stored[-1] == index
