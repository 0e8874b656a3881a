"""docker-compose.yml: every service reports its health, and the probes ask the port the
service really listens on."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

COMPOSE = Path(__file__).resolve().parents[3] / "docker-compose.yml"
PROBE_PORT = re.compile(r"http://localhost:(\d+)/")


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = yaml.safe_load(COMPOSE.read_text())["services"]
    return services


def _listens_on(name: str, service: dict[str, Any]) -> str | None:
    env = service.get("environment", {})
    for setting in ("GATEWAY_PORT", "WORKER_HTTP_PORT"):
        if setting in env:
            return str(env[setting])
    for arg in service.get("command", []):
        if str(arg).startswith("--port="):
            return str(arg).removeprefix("--port=")
    return None


def test_every_service_has_a_healthcheck() -> None:
    missing = [n for n, s in _services().items() if not s.get("healthcheck", {}).get("test")]
    assert missing == []


def test_http_probes_ask_the_port_the_service_listens_on() -> None:
    probed = 0
    for name, service in _services().items():
        probe = " ".join(service["healthcheck"]["test"])
        port = PROBE_PORT.search(probe)
        if port is None:
            continue
        probed += 1
        assert port.group(1) == _listens_on(name, service), name
    assert probed == 3  # sandbox, worker, gateway


def test_services_wait_for_what_they_need_to_be_healthy() -> None:
    services = _services()
    for name in ("sync-worker", "gateway"):
        needs = services[name]["depends_on"]
        assert all(d["condition"] == "service_healthy" for d in needs.values()), name
        assert {"kafka", "postgres"} <= set(needs), name
