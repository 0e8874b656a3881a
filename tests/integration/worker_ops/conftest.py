"""Processes this package runs."""

from __future__ import annotations

from tests.support.services import worker_fixture

running_worker = worker_fixture()
