"""A worker and a gateway for the `make seed` scenario."""

from __future__ import annotations

from tests.support.services import gateway_fixture, worker_fixture

running_worker = worker_fixture()
running_gateway = gateway_fixture()
