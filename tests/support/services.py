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


def worker_fixture() -> Callable[..., Any]:
    @pytest.fixture(scope="package")
    def running_worker(service_env: dict[str, str]) -> Iterator[ServiceProcess]:
        from tests.conftest import log_dir

        worker = start_worker(log_dir(), service_env)
        yield worker
        worker.stop()

    return running_worker


def gateway_fixture() -> Callable[..., Any]:
    @pytest.fixture(scope="package")
    def running_gateway(service_env: dict[str, str]) -> Iterator[ServiceProcess]:
        from tests.conftest import log_dir

        gateway = start_gateway(log_dir(), service_env)
        yield gateway
        gateway.stop()

    return running_gateway
