"""Group commit of unit ends (fake commit functions, real asyncio)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from services.sync_worker.sync.completion import Completion, OutcomeKind, UnitKind
from services.sync_worker.sync.finisher import Finished, Finisher
from services.sync_worker.sync.work_items import WorkItem
from tests.unit.sync_worker.fakes import unit


class Commits:
    def __init__(self, lost: frozenset[int] = frozenset(), poison: int | None = None) -> None:
        self.groups: list[list[int]] = []
        self.alone: list[int] = []
        self._lost = lost
        self._poison = poison

    async def many(self, done: Sequence[Finished]) -> set[int]:
        await asyncio.sleep(0.01)  # a commit takes time: later finishers queue up
        ids = [item.id for item, _ in done]
        if self._poison in ids:
            raise ValueError("a row PostgreSQL refuses")
        self.groups.append(ids)
        return {i for i in ids if i not in self._lost}

    async def one(self, item: WorkItem, completion: Completion) -> bool:
        if item.id == self._poison:
            raise ValueError("a row PostgreSQL refuses")
        self.alone.append(item.id)
        return True


def _units(n: int) -> list[WorkItem]:
    return [unit(UnitKind.PUSH, f"i{k}") for k in range(n)]


DONE = Completion.of(OutcomeKind.SUCCEEDED, "create")


async def test_units_finishing_during_a_commit_share_the_next_one() -> None:
    commits = Commits()
    finisher = Finisher(commits.many, commits.one)
    items = _units(5)
    first = asyncio.create_task(finisher.finish(items[0], DONE))
    await asyncio.sleep(0)
    rest = [asyncio.create_task(finisher.finish(i, DONE)) for i in items[1:]]
    assert await asyncio.gather(first, *rest) == [True] * 5
    assert commits.groups == [[items[0].id], [i.id for i in items[1:]]]


async def test_a_unit_whose_lease_was_lost_is_told_so() -> None:
    items = _units(2)
    commits = Commits(lost=frozenset({items[1].id}))
    finisher = Finisher(commits.many, commits.one)
    results = await asyncio.gather(*(finisher.finish(i, DONE) for i in items))
    assert results == [True, False]


async def test_one_bad_unit_does_not_hold_up_its_group() -> None:
    items = _units(3)
    commits = Commits(poison=items[1].id)
    finisher = Finisher(commits.many, commits.one)
    results = await asyncio.gather(
        *(finisher.finish(i, DONE) for i in items), return_exceptions=True
    )
    assert results[0] is True and results[2] is True
    assert isinstance(results[1], ValueError)
    assert commits.alone == [items[0].id, items[2].id]
