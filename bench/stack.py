"""The benchmark's own stack, built from deploy/local in a throwaway directory.

Nothing is shared with `make up` or the test suite: own Kafka data dir, own PostgreSQL
cluster, own sandbox/worker/gateway processes and logs. `BenchStack.close()` stops
everything it started (also after a failure) and deletes the data.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from deploy.local import kafka, kafka_jars, postgres
from deploy.local.processes import stop_group
from deploy.local.services import ServiceProcess, start_gateway, start_sandbox, start_worker
from deploy.local.stack import configure_sandbox_webhook

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


@dataclass
class BenchStack:
    root: Path
    env: dict[str, str] = field(default_factory=dict)
    kafka: kafka.KafkaProcess | None = None
    pg: postgres.PostgresCluster | None = None
    sandbox: ServiceProcess | None = None
    worker: ServiceProcess | None = None
    gateway: ServiceProcess | None = None
    worker_starts: int = 0

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def bootstrap(self) -> str:
        return self.env["KAFKA_BOOTSTRAP_SERVERS"]

    @property
    def dsn(self) -> str:
        return self.env["DATABASE_URL"]

    @property
    def sandbox_url(self) -> str:
        assert self.sandbox is not None and self.sandbox.url
        return self.sandbox.url

    @property
    def gateway_url(self) -> str:
        assert self.gateway is not None and self.gateway.url
        return self.gateway.url

    @property
    def admin_token(self) -> str:
        return self.env["GATEWAY_ADMIN_TOKEN"]

    def start(self) -> None:
        started = time.monotonic()
        print("stack: starting Kafka (KRaft) ...", flush=True)
        self.kafka = kafka.start(self.root / "kafka")
        print("stack: starting PostgreSQL ...", flush=True)
        self.pg = postgres.start(self.root / "pg")
        client_id, client_secret = "mediaos-sync-bench", secrets.token_urlsafe(24)
        print("stack: starting QuickBooks sandbox ...", flush=True)
        self.sandbox = start_sandbox(self.logs, client_id=client_id, client_secret=client_secret)
        self.env = {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap_servers,
            "DATABASE_URL": self.pg.url,
            "QBO_API_BASE_URL": self.sandbox_url,
            "QBO_TOKEN_URL": f"{self.sandbox_url}/oauth2/v1/tokens/bearer",
            "QBO_CLIENT_ID": client_id,
            "QBO_CLIENT_SECRET": client_secret,
            "GATEWAY_ADMIN_TOKEN": secrets.token_urlsafe(32),
            "TOKEN_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "QBO_WEBHOOK_VERIFIER_TOKEN": secrets.token_urlsafe(24),
            # QuickBooks' documented limits are the worker's defaults; set explicitly so an
            # exported variable of the caller's shell cannot change what is measured.
            "QBO_RATE_LIMIT_PER_SECOND": "10",
            "QBO_RATE_LIMIT_PER_MINUTE": "500",
            "LOG_LEVEL": "INFO",
        }
        self.start_worker()
        print("stack: starting gateway ...", flush=True)
        self.gateway = start_gateway(self.logs, self.env)
        configure_sandbox_webhook(self.sandbox_url, self.gateway_url, self.env)
        print(f"stack: up in {time.monotonic() - started:.1f}s (data in {self.root})", flush=True)

    def start_worker(self) -> ServiceProcess:
        print("stack: starting sync worker ...", flush=True)
        self.worker_starts += 1
        self.worker = start_worker(self.logs, self.env, name=f"sync-worker-{self.worker_starts}")
        return self.worker

    def stop_worker(self) -> None:
        if self.worker is not None:
            print("stack: stopping sync worker ...", flush=True)
            self.worker.stop()
            self.worker = None

    def close(self) -> None:
        for proc in (self.gateway, self.worker, self.sandbox):
            if proc is not None:
                with contextlib.suppress(Exception):
                    proc.stop(grace=10)
        self.gateway = self.worker = self.sandbox = None
        if self.kafka is not None:
            with contextlib.suppress(Exception):
                stop_group(self.kafka.pid, grace=15)
            self.kafka = None
        if self.pg is not None:
            with contextlib.suppress(Exception):
                self.pg.stop("immediate")
            self.pg = None
        keep = RESULTS / "logs"
        with contextlib.suppress(Exception):
            shutil.rmtree(keep, ignore_errors=True)
            if self.logs.exists():
                shutil.copytree(self.logs, keep)
        shutil.rmtree(self.root, ignore_errors=True)
        print("stack: stopped; service logs kept in bench/results/logs/", flush=True)


def _raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def bench_stack() -> Iterator[BenchStack]:
    """Starts the stack; always stops it, on success, exception, Ctrl-C or SIGTERM."""
    root = Path(tempfile.mkdtemp(prefix="mediaos-sync-bench-"))
    root.chmod(0o755)  # the `postgres` system user (when running as root) must reach pg/
    stack = BenchStack(root)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        stack.start()
        yield stack
    finally:
        stack.close()
        signal.signal(signal.SIGTERM, previous)


def machine() -> dict[str, object]:
    import platform
    import sys

    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    cpu_model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    jars = sorted(p.name for p in kafka_jars.DEFAULT_JARS.glob("kafka_*.jar"))
    pg_version = ""
    with contextlib.suppress(Exception):
        pg_version = postgres.server_bin_dir().parent.name
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "kafka": jars[0].removesuffix(".jar") if jars else "unknown",
        "postgresql": pg_version,
        "loadavg_at_start": os.getloadavg(),
    }
