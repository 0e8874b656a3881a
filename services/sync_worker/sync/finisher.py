"""Group commit of finished units: one transaction for every unit that finished meanwhile.

Each unit's end (state, ledger, result event in the outbox) used to be its own transaction:
about six statements and one WAL flush per invoice. Units that finish while a commit is
running are taken together into the next one, so under load the cost per unit falls to
its own ledger statement plus a share of the rest. Each unit's end still only commits
while its lease is held (the set-based finish returns only those). If a group fails for a
reason other than an outage, each of its units is committed alone, so one bad row cannot
hold up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
import structlog

from services.sync_worker.sync.completion import Completion
from services.sync_worker.sync.work_items import WorkItem

log = structlog.get_logger(__name__)

Finished = tuple[WorkItem, Completion]
FinishMany = Callable[[Sequence[Finished]], Awaitable[set[int]]]
FinishOne = Callable[[WorkItem, Completion], Awaitable[bool]]
_OUTAGES = (OSError, asyncpg.InterfaceError, asyncpg.exceptions.PostgresConnectionError)


class Finisher:
    def __init__(self, many: FinishMany, one: FinishOne, *, max_group: int = 200) -> None:
        self._many = many
        self._one = one
        self._max_group = max_group
        self._waiting: list[tuple[WorkItem, Completion, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def finish(self, item: WorkItem, completion: Completion) -> bool:
        """True once the unit's end is committed; False when its lease was lost."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, completion, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="unit-finisher")
        return await future

    async def _flush(self) -> None:
        while self._waiting:
            group, self._waiting = (
                self._waiting[: self._max_group],
                self._waiting[self._max_group :],
            )
            try:
                committed = await self._many([(item, done) for item, done, _ in group])
            except _OUTAGES as exc:
                for *_, future in group:
                    _settle(future, exc=exc)
                continue
            except Exception:
                log.exception("group_commit_failed", units=len(group))
                await self._one_by_one(group)
                continue
            for item, _, future in group:
                _settle(future, result=item.id in committed)

    async def _one_by_one(
        self, group: list[tuple[WorkItem, Completion, asyncio.Future[bool]]]
    ) -> None:
        for item, completion, future in group:
            try:
                _settle(future, result=await self._one(item, completion))
            except Exception as exc:
                _settle(future, exc=exc)


def _settle(
    future: asyncio.Future[bool], *, result: bool = False, exc: BaseException | None = None
) -> None:
    with contextlib.suppress(asyncio.InvalidStateError):
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result)
