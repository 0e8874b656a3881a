"""QuickBooks itself goes away mid-push: the sandbox process is SIGKILLed, stays down ~10 s
and comes back on the same port with the same `--state-dir` (as Intuit keeps its data through
an outage). Afterwards every invoice is in QuickBooks exactly once, every unit has one result,
and none failed (so none ended QBO_AUTH because of the outage)."""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from deploy.local.processes import free_port, pid_alive
from deploy.local.services import ServiceProcess, start_sandbox
from tests.faults.conftest import Replicas
from tests.faults.scenario import once_after, run_push_scenario
from tests.support.environment import QBO_CLIENT_ID, QBO_CLIENT_SECRET, log_dir

pytestmark = pytest.mark.faults

DOWN_SECONDS = 10.0


class RestartableSandbox:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.port = free_port()
        self.process = self._start()
        self.url = self.process.url or ""
        self.kills = 0

    def _start(self) -> ServiceProcess:
        return start_sandbox(
            log_dir(),
            client_id=QBO_CLIENT_ID,
            client_secret=QBO_CLIENT_SECRET,
            port=self.port,
            state_dir=self.state_dir,
        )

    def sigkill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        while pid_alive(self.process.pid):
            pass
        self.kills += 1

    def restart(self) -> None:
        self.process = self._start()

    def stop(self) -> None:
        self.process.stop()


@pytest.fixture
def own_sandbox() -> Iterator[RestartableSandbox]:
    with tempfile.TemporaryDirectory(prefix="qbo-sandbox-state-") as state_dir:
        sandbox = RestartableSandbox(Path(state_dir))
        yield sandbox
        sandbox.stop()


async def test_quickbooks_killed_and_restarted_mid_push(
    own_sandbox: RestartableSandbox,
    service_env: dict[str, str],
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> None:
    url = own_sandbox.url
    replicas = Replicas(
        {
            **service_env,
            "QBO_SANDBOX_URL": url,
            "QBO_API_BASE_URL": url,
            "QBO_TOKEN_URL": f"{url}/oauth2/v1/tokens/bearer",
            "QBO_RATE_LIMIT_PER_SECOND": "40",
            "QBO_RATE_LIMIT_PER_MINUTE": "2400",
        },
        ["qbo-restart-worker-1", "qbo-restart-worker-2"],
    )

    async def kill_and_restart() -> None:
        own_sandbox.sigkill()
        await asyncio.sleep(DOWN_SECONDS)
        await asyncio.to_thread(own_sandbox.restart)

    disrupt, killed_at = once_after(40, kill_and_restart)

    try:
        replicas.start_all()
        await run_push_scenario(
            "QBO SIGKILL + restart (10 s down, state kept)",
            invoices=200,
            bootstrap=kafka_bootstrap_servers,
            pool=worker_pg_pool,
            sandbox_url=url,
            disrupt=disrupt,
            describe=lambda: (
                f"sandbox SIGKILLed after {killed_at[0] if killed_at else '-'} results, "
                f"down {DOWN_SECONDS:.0f} s"
            ),
        )
    finally:
        replicas.stop_all()
    assert own_sandbox.kills == 1, "the sandbox was never killed"
