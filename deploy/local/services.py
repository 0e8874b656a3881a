"""Starting the project's own services (sandbox, worker, gateway) as real processes."""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from deploy.local.processes import free_port, spawn, stop_group, wait_until

REPO = Path(__file__).resolve().parents[2]


@dataclass
class ServiceProcess:
    name: str
    pid: int
    log_file: Path
    url: str | None = None

    def stop(self, grace: float = 15.0) -> None:
        stop_group(self.pid, grace=grace)


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def sandbox_command(port: int, *options: str) -> list[str]:
    """The command line of a QuickBooks sandbox on 127.0.0.1:`port`."""
    host = ["--host", "127.0.0.1", "--port", str(port)]
    return [sys.executable, "-m", "services.quickbooks_sandbox", *host, *options]


def start_sandbox(
    log_dir: Path,
    *,
    client_id: str,
    client_secret: str,
    port: int | None = None,
    state_dir: Path | None = None,
    latency: str | None = None,
) -> ServiceProcess:
    """The QuickBooks sandbox with one app's credentials (as Intuit: one set per app).
    `state_dir`: keep its state across restarts; `latency`: a latency profile such as
    `intuit` or `p50=0.25,p99=1.2` (see the sandbox README)."""
    port = port or free_port()
    log = log_dir / "quickbooks-sandbox.log"
    args = sandbox_command(port, "--client-id", client_id, "--client-secret", client_secret)
    if state_dir is not None:
        args += ["--state-dir", str(state_dir)]
    if latency is not None:
        args += ["--latency", latency]
    proc = spawn(args, log_file=log, cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: _http_ok(f"{url}/_sandbox/healthz"),
            timeout=60,
            what="QuickBooks sandbox",
            alive=lambda: proc.poll() is None,
            log_file=log,
        )
    except BaseException:
        stop_group(proc.pid, grace=5)
        raise
    return ServiceProcess("quickbooks-sandbox", proc.pid, log, url)


def _start_python_service(
    module: str,
    name: str,
    log_dir: Path,
    env: Mapping[str, str],
    *,
    prefix: str,
    port: int | None,
) -> ServiceProcess:
    """Starts `python -m module` on a loopback port; ready when its /readyz answers
    (PostgreSQL and Kafka reachable)."""
    port = port or free_port()
    log = log_dir / f"{name}.log"
    proc = spawn(
        [sys.executable, "-m", module],
        log_file=log,
        env={**env, f"{prefix}_HOST": "127.0.0.1", f"{prefix}_PORT": str(port)},
        cwd=REPO,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: _http_ok(f"{url}/readyz"),
            timeout=90,
            what=name,
            alive=lambda: proc.poll() is None,
            log_file=log,
        )
    except BaseException:
        stop_group(proc.pid, grace=5)  # never leave a half-started process behind
        raise
    return ServiceProcess(name, proc.pid, log, url)


def start_worker(
    log_dir: Path, env: Mapping[str, str], *, name: str = "sync-worker"
) -> ServiceProcess:
    return _start_python_service(
        "services.sync_worker", name, log_dir, env, prefix="WORKER_HTTP", port=None
    )


def start_gateway(
    log_dir: Path, env: Mapping[str, str], *, port: int | None = None, name: str = "gateway"
) -> ServiceProcess:
    return _start_python_service(
        "services.gateway", name, log_dir, env, prefix="GATEWAY", port=port
    )
