"""Fault scenarios start and kill their own worker replicas."""

from __future__ import annotations

import os
import random
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from deploy.local.processes import pid_alive
from deploy.local.services import ServiceProcess, start_worker
from tests.support.environment import log_dir


@dataclass
class Replicas:
    env: dict[str, str]
    names: list[str]
    running: dict[str, ServiceProcess] = field(default_factory=dict)
    kills: int = 0

    def start_all(self) -> None:
        for name in self.names:
            self.start(name)

    def start(self, name: str) -> None:
        self.running[name] = start_worker(log_dir(), {**self.env, "WORKER_ID": name}, name=name)

    def sigkill_random(self, rng: random.Random) -> str:
        name = rng.choice(sorted(self.running))
        os.kill(self.running[name].pid, signal.SIGKILL)
        while pid_alive(self.running[name].pid):
            pass
        self.kills += 1
        return name

    def stop_all(self) -> None:
        for proc in self.running.values():
            proc.stop()
        self.running.clear()


@pytest.fixture
def replicas(service_env: dict[str, str]) -> Iterator[Replicas]:
    env = {
        **service_env,
        "QBO_RATE_LIMIT_PER_SECOND": "40",
        "QBO_RATE_LIMIT_PER_MINUTE": "2400",
    }
    reps = Replicas(env, ["fault-worker-1", "fault-worker-2"])
    yield reps
    reps.stop_all()
