"""Every log line of a unit names it, and a unit logs its final result exactly once."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from typing import Any

import pytest
import structlog

from services.platform.logging import configure_logging
from services.sync_worker.sync.completion import Completion, OutcomeKind, UnitKind
from services.sync_worker.sync.domain.retry import RetryPolicy
from services.sync_worker.sync.executor import Executor, ExecutorSettings
from services.sync_worker.sync.work_items import WorkItem
from tests.unit.sync_worker.fakes import FakeWorkQueue, unit

log = structlog.get_logger(__name__)


async def _fails_unmapped(item: WorkItem) -> Completion:
    log.info("runner_step")
    return Completion.of(OutcomeKind.FAILED, "PRODUCT_NOT_MAPPED")


async def _run(queue: FakeWorkQueue, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    configure_logging("test", "INFO", "json")
    capsys.readouterr()
    runners = dict.fromkeys(UnitKind, _fails_unmapped)
    executor = Executor(
        queue, runners, ExecutorSettings(retry=RetryPolicy(3, 2.0, 60.0)), worker_id="w"
    )
    await executor.claim_round()
    while executor.in_flight():
        await asyncio.sleep(0)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


async def test_unit_lines_carry_the_unit_and_the_result_is_logged_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    batch = uuid.uuid4()
    item = dataclasses.replace(unit(UnitKind.PUSH, "inv-1", attempts=2), batch_id=batch)
    lines = await _run(FakeWorkQueue(ready={"t-1": [item]}), capsys)
    assert [line["event"] for line in lines] == ["runner_step", "unit_finished"]
    for line in lines:
        assert (line["tenant_id"], line["batch_id"], line["invoice_id"]) == (
            "t-1",
            str(batch),
            "inv-1",
        )
        assert (line["work_item"], line["attempt"]) == (item.id, 2)
    assert (lines[1]["result"], lines[1]["code"]) == ("failed", "PRODUCT_NOT_MAPPED")
    # Bindings end with the unit: nothing leaks into later lines of this task.
    assert "invoice_id" not in structlog.contextvars.get_contextvars()


async def test_a_unit_whose_lease_was_lost_logs_no_result(
    capsys: pytest.CaptureFixture[str],
) -> None:
    item = unit(UnitKind.PUSH, "inv-2")
    lines = await _run(FakeWorkQueue(ready={"t-1": [item]}, lost={item.id}), capsys)
    assert [line["event"] for line in lines] == ["runner_step", "unit_lease_lost"]
