"""Worker and gateway processes for a test package.

A fixture's scope is the package of the conftest that defines it, so each package that
needs these processes declares them in its own conftest (`running_worker =
worker_fixture()`): they stop when the package's tests are done and never overlap with
another package's processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from deploy.local.services import ServiceProcess, start_gateway, start_worker
from tests.support.environment import log_dir

# Workers started by these fixtures that may still run. The executors of every worker share
# one work queue in PostgreSQL, so a worker left over from another package (a fixture whose
# teardown pytest deferred) would claim this package's units and consume its events: a new
# package's worker stops any that are left first.
_LIVE_WORKERS: list[ServiceProcess] = []


def stop_leftover_workers() -> None:
    while _LIVE_WORKERS:
        _LIVE_WORKERS.pop().stop()


def worker_fixture() -> Callable[..., Any]:
    @pytest.fixture(scope="package")
    def running_worker(service_env: dict[str, str]) -> Iterator[ServiceProcess]:
        stop_leftover_workers()
        worker = start_worker(log_dir(), service_env)
        _LIVE_WORKERS.append(worker)
        yield worker
        worker.stop()
        if worker in _LIVE_WORKERS:
            _LIVE_WORKERS.remove(worker)

    return running_worker


def gateway_fixture() -> Callable[..., Any]:
    @pytest.fixture(scope="package")
    def running_gateway(service_env: dict[str, str]) -> Iterator[ServiceProcess]:
        gateway = start_gateway(log_dir(), service_env)
        yield gateway
        gateway.stop()

    return running_gateway
