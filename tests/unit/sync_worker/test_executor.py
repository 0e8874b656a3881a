"""The executor's claim / finish / retry decisions with a fake queue (no database)."""

from __future__ import annotations

import asyncio

from structlog.testing import capture_logs

from services.contract.errors import ErrorCode
from services.sync_worker.quickbooks.rate_limit import RealmNotHeld
from services.sync_worker.sync.completion import Completion, OutcomeKind, UnitKind
from services.sync_worker.sync.domain.retry import RetryPolicy
from services.sync_worker.sync.executor import Executor, ExecutorSettings, Runner
from services.sync_worker.sync.work_items import WorkItem
from tests.unit.sync_worker.fakes import FakeWorkQueue, unit


async def _succeed(item: WorkItem) -> Completion:
    return Completion.of(OutcomeKind.SUCCEEDED, "create")


async def _crash(item: WorkItem) -> Completion:
    raise RuntimeError("boom")


async def _hang(item: WorkItem) -> Completion:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def _held_elsewhere(item: WorkItem) -> Completion:
    raise RealmNotHeld("realm-1")


def _executor(queue: FakeWorkQueue, runner: Runner, **settings: object) -> Executor:
    runners = dict.fromkeys(UnitKind, runner)
    config = ExecutorSettings(retry=RetryPolicy(3, 2.0, 60.0), **settings)  # type: ignore[arg-type]
    return Executor(queue, runners, config, worker_id="w-1")


async def _round(executor: Executor) -> int:
    claimed = await executor.claim_round()
    while executor.in_flight():
        await asyncio.sleep(0)
    return claimed


async def test_each_tenant_gets_at_most_its_share_of_slots() -> None:
    queue = FakeWorkQueue(
        ready={
            "busy": [unit(UnitKind.PUSH, f"i{n}", tenant_id="busy") for n in range(10)],
            "quiet": [unit(UnitKind.PUSH, "q1", tenant_id="quiet")],
        }
    )
    executor = _executor(queue, _succeed, concurrency=4, per_tenant_concurrency=2)
    assert await _round(executor) == 3
    assert sorted(queue.claims) == [("busy", 2), ("quiet", 2)]
    assert len(queue.finished) == 3


async def test_a_round_counts_what_the_tenant_already_runs() -> None:
    queue = FakeWorkQueue(
        ready={"busy": [unit(UnitKind.PUSH, f"i{n}", tenant_id="busy") for n in range(10)]}
    )
    executor = _executor(queue, _hang, concurrency=8, per_tenant_concurrency=3)
    assert await executor.claim_round() == 3
    assert await executor.claim_round() == 0  # the tenant's 3 are still running
    assert queue.claims == [("busy", 3)]
    await executor.stop(0)


async def test_a_company_paced_elsewhere_is_retried_without_an_attempt() -> None:
    queue = FakeWorkQueue(ready={"t-1": [unit(UnitKind.PUSH, "i1", attempts=1)]})
    await _round(_executor(queue, _held_elsewhere))
    [(_, delay, counted)] = queue.retried
    assert (delay, counted) == (0.5, False)
    assert queue.finished == []


async def test_a_unit_whose_lease_was_lost_publishes_nothing() -> None:
    item = unit(UnitKind.PUSH, "i1")
    queue = FakeWorkQueue(ready={"t-1": [item]}, lost={item.id})
    await _round(_executor(queue, _succeed))
    assert queue.finished == [] and queue.retried == []


async def test_a_crash_is_retried_with_backoff_then_reported() -> None:
    queue = FakeWorkQueue(ready={"t-1": [unit(UnitKind.PUSH, "i1", attempts=2)]})
    await _round(_executor(queue, _crash))
    [(_, delay, counted)] = queue.retried
    assert (delay, counted) == (4.0, True)

    last = unit(UnitKind.PUSH, "i1", attempts=3)
    queue = FakeWorkQueue(ready={"t-1": [last]})
    await _round(_executor(queue, _crash))
    [(_, completion)] = queue.finished
    assert str(completion.outcome) == f"failed:{ErrorCode.INTERNAL_ERROR.value}"
    assert len(completion.results) == 1


async def test_a_crashed_sweep_without_an_invoice_fails_without_a_result() -> None:
    queue = FakeWorkQueue(ready={"t-1": [unit(UnitKind.CDC, attempts=3)]})
    await _round(_executor(queue, _crash))
    [(_, completion)] = queue.finished
    assert str(completion.outcome) == "failed:RuntimeError" and completion.results == []


async def _until(condition: object, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition never held")


async def test_a_unit_stuck_past_its_limit_is_cancelled_and_its_lease_left_to_expire() -> None:
    stuck = unit(UnitKind.PUSH, "i1")
    queue = FakeWorkQueue(ready={"t-1": [stuck]})
    executor = _executor(queue, _hang, lease_seconds=1.5, max_unit_seconds=0.2)
    with capture_logs() as logs:
        running = asyncio.create_task(executor.run())
        await _until(lambda: queue.extended and executor.in_flight() == 0)
        await executor.stop(0)
        await running
    assert stuck.id not in queue.extended[-1]  # no longer extended: the lease runs out
    assert queue.finished == [] and queue.retried == []  # nothing committed by the stuck one
    [report] = [e for e in logs if e["event"] == "unit_overdue_cancelled"]
    assert report["unit"] == stuck.id
    assert any(" _hang" in line for line in report["at"]), report["at"]  # where it waited


async def test_the_claim_loop_outlives_an_unexpected_error() -> None:
    queue = FakeWorkQueue(ready={"t-1": [unit(UnitKind.PUSH, "i1")]})
    queue.claim_errors.append(KeyError("a bug in a claim"))
    executor = _executor(queue, _succeed)
    with capture_logs() as logs:
        running = asyncio.create_task(executor.run())
        await _until(lambda: len(queue.finished) == 1)
        await executor.stop(0)
        await running
    [failure] = [e for e in logs if e["event"] == "executor_claim_failed"]
    assert failure["log_level"] == "error" and failure.get("exc_info"), failure
