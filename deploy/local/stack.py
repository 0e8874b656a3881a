"""`python -m deploy.local.stack up|down|status`: the whole local stack, no Docker needed.

`up` starts Kafka, PostgreSQL, the QuickBooks sandbox, the sync worker and the gateway in
the background and writes `.local/stack.env`; `down` stops exactly what `up` started.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import secrets
import shutil
import sys
import urllib.request
from pathlib import Path

from deploy.local import kafka, postgres
from deploy.local.processes import pid_alive, stop_group
from deploy.local.services import start_gateway, start_sandbox, start_worker

REPO = Path(__file__).resolve().parents[2]
LOCAL = REPO / ".local"
STATE = LOCAL / "stack.json"
ENV_FILE = LOCAL / "stack.env"
LOGS = LOCAL / "logs"
# The sandbox keeps its companies here, so restarting it (e.g. in a fault drill) loses nothing.
SANDBOX_STATE = LOCAL / "quickbooks-sandbox-state"


def pg_data_dir() -> Path:
    """Outside the repo: the `postgres` user (used when running as root) must reach it."""
    digest = hashlib.sha256(str(REPO).encode()).hexdigest()[:10]
    base = Path("/tmp") / f"mediaos-sync-{digest}"
    base.mkdir(mode=0o755, exist_ok=True)
    return base / "pg"


def _secret_env() -> dict[str, str]:
    return {
        "QBO_CLIENT_ID": "mediaos-sync-local",
        "QBO_CLIENT_SECRET": secrets.token_urlsafe(24),
        "GATEWAY_ADMIN_TOKEN": secrets.token_urlsafe(32),
        "TOKEN_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "QBO_WEBHOOK_VERIFIER_TOKEN": secrets.token_urlsafe(24),
    }


def up() -> dict[str, str]:
    if STATE.exists():
        print("stack already up (see .local/stack.env); run `make down` first", file=sys.stderr)
        return read_env()
    LOCAL.mkdir(exist_ok=True)
    started: dict[str, int] = {}
    state: dict[str, object] = {"pids": started}
    try:
        print("starting Kafka (KRaft, single node) ...", flush=True)
        broker = kafka.start(LOCAL / "kafka-data")
        started["kafka"] = broker.pid
        print("starting PostgreSQL ...", flush=True)
        pg = postgres.start(pg_data_dir())
        state["postgres_data_dir"] = str(pg.data_dir)
        print("starting QuickBooks sandbox ...", flush=True)
        secret_env = _secret_env()
        sandbox = start_sandbox(
            LOGS,
            client_id=secret_env["QBO_CLIENT_ID"],
            client_secret=secret_env["QBO_CLIENT_SECRET"],
            state_dir=SANDBOX_STATE,
        )
        started["quickbooks-sandbox"] = sandbox.pid
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
            "DATABASE_URL": pg.url,
            "QBO_SANDBOX_URL": sandbox.url or "",
            "QBO_API_BASE_URL": sandbox.url or "",
            "QBO_TOKEN_URL": f"{sandbox.url}/oauth2/v1/tokens/bearer",
            **secret_env,
        }
        print("starting sync worker ...", flush=True)
        worker = start_worker(LOGS, env)
        started["sync-worker"] = worker.pid
        print("starting gateway ...", flush=True)
        gateway = start_gateway(LOGS, env)
        started["gateway"] = gateway.pid
        env["GATEWAY_URL"] = gateway.url or ""
        # The worker's port is free-picked; its metrics are otherwise hard to find.
        env["WORKER_URL"] = worker.url or ""
        env["WORKER_METRICS_URL"] = f"{worker.url}/metrics"
        configure_sandbox_webhook(sandbox.url or "", gateway.url or "", env)
    except BaseException:
        STATE.write_text(json.dumps(state))
        down()
        raise
    STATE.write_text(json.dumps(state))
    ENV_FILE.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    ENV_FILE.chmod(0o600)
    print(f"stack up: {ENV_FILE.relative_to(REPO)} written; logs in .local/logs/", flush=True)
    print(f"gateway {env['GATEWAY_URL']}, worker metrics {env['WORKER_METRICS_URL']}", flush=True)
    return env


def configure_sandbox_webhook(sandbox_url: str, gateway_url: str, env: dict[str, str]) -> None:
    """QuickBooks (here: the sandbox) notifies the gateway's webhook endpoint."""
    body = json.dumps(
        {
            "url": f"{gateway_url}/v1/webhooks/quickbooks",
            "verifier_token": env["QBO_WEBHOOK_VERIFIER_TOKEN"],
        }
    ).encode()
    request = urllib.request.Request(
        f"{sandbox_url}/_sandbox/webhook",
        data=body,
        method="PUT",
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5):
        pass


def down() -> None:
    if not STATE.exists():
        print("stack is not up")
        return
    state = json.loads(STATE.read_text())
    for name, pid in reversed(list(state.get("pids", {}).items())):
        if pid_alive(pid):
            print(f"stopping {name} (pid {pid})", flush=True)
            stop_group(pid, grace=20)
    pg_dir = state.get("postgres_data_dir")
    if pg_dir:
        print("stopping PostgreSQL", flush=True)
        postgres.PostgresCluster(
            Path(pg_dir), 0, postgres.server_bin_dir(), postgres._service_user()
        ).stop()
    # Throwaway data: the next `up` starts from empty Kafka topics and an empty database.
    shutil.rmtree(LOCAL / "kafka-data", ignore_errors=True)
    shutil.rmtree(SANDBOX_STATE, ignore_errors=True)  # its realms belong to that database
    if pg_dir:
        shutil.rmtree(pg_dir, ignore_errors=True)
    STATE.unlink()
    ENV_FILE.unlink(missing_ok=True)
    print("stack down")


def read_env() -> dict[str, str]:
    return dict(line.split("=", 1) for line in ENV_FILE.read_text().splitlines() if "=" in line)


def status() -> int:
    if not STATE.exists():
        print("stack is not up")
        return 1
    state = json.loads(STATE.read_text())
    for name, pid in state.get("pids", {}).items():
        print(f"{name:20} pid {pid:>7}  {'running' if pid_alive(pid) else 'DEAD'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status"])
    args = parser.parse_args()
    os.chdir(REPO)
    if args.command == "up":
        up()
        return 0
    if args.command == "down":
        down()
        return 0
    return status()


if __name__ == "__main__":
    sys.exit(main())
