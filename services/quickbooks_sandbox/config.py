"""Sandbox process configuration from CLI flags and `QBO_SANDBOX_*` environment variables."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .domain.latency import parse_latency


def _floats(text: str) -> tuple[float, ...]:
    return tuple(float(part) for part in text.split(",") if part.strip())


@dataclass
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    webhook_url: str | None = None
    webhook_verifier: str | None = None
    # Events are collected this long before one signed POST carries them all.
    webhook_batch_delay: float = 0.5
    # Delays between delivery attempts; attempts = len(retry_delays) + 1.
    webhook_retry_delays: tuple[float, ...] = field(default=(0.2, 0.5, 1.0, 2.0))
    webhook_timeout: float = 3.0
    fault_seed: int = 0
    log_level: str = "warning"
    # App-level OAuth client credentials shared by every realm, as Intuit issues one pair per
    # app. Unset: each realm gets its own generated pair (returned by POST /_sandbox/realms).
    client_id: str | None = None
    client_secret: str | None = None
    # Where realms, tokens, entities, replay memory and the webhook queue are kept across
    # restarts (see state.py). None: memory only.
    state_dir: str | None = None
    # Global latency profile: "off", "intuit" or "p50=MS,p99=MS" (domain/latency.py).
    latency: str = "off"

    def app_credentials(self) -> tuple[str, str] | None:
        """(client_id, client_secret), or None for per-realm credentials."""
        if not self.client_id and not self.client_secret:
            return None
        if not (self.client_id and self.client_secret):
            raise ValueError("client_id and client_secret must be set together")
        return self.client_id, self.client_secret

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SandboxConfig:
        env = os.environ if env is None else env
        config = cls()
        prefix = "QBO_SANDBOX_"
        if prefix + "HOST" in env:
            config.host = env[prefix + "HOST"]
        if prefix + "PORT" in env:
            config.port = int(env[prefix + "PORT"])
        config.webhook_url = env.get(prefix + "WEBHOOK_URL") or None
        config.webhook_verifier = env.get(prefix + "WEBHOOK_VERIFIER") or None
        if prefix + "WEBHOOK_BATCH_DELAY" in env:
            config.webhook_batch_delay = float(env[prefix + "WEBHOOK_BATCH_DELAY"])
        if prefix + "WEBHOOK_RETRY_DELAYS" in env:
            config.webhook_retry_delays = _floats(env[prefix + "WEBHOOK_RETRY_DELAYS"])
        if prefix + "WEBHOOK_TIMEOUT" in env:
            config.webhook_timeout = float(env[prefix + "WEBHOOK_TIMEOUT"])
        if prefix + "FAULT_SEED" in env:
            config.fault_seed = int(env[prefix + "FAULT_SEED"])
        config.log_level = env.get(prefix + "LOG_LEVEL", config.log_level)
        config.client_id = env.get(prefix + "CLIENT_ID") or None
        config.client_secret = env.get(prefix + "CLIENT_SECRET") or None
        config.state_dir = env.get(prefix + "STATE_DIR") or None
        config.latency = env.get(prefix + "LATENCY", config.latency)
        return config


def parse_args(argv: Sequence[str] | None, env: Mapping[str, str] | None = None) -> SandboxConfig:
    """CLI flags override environment variables, which override defaults."""
    base = SandboxConfig.from_env(env)
    parser = argparse.ArgumentParser(
        prog="python -m services.quickbooks_sandbox",
        description="Local QuickBooks Online API sandbox.",
    )
    parser.add_argument("--host", default=base.host)
    parser.add_argument("--port", type=int, default=base.port)
    parser.add_argument("--webhook-url", default=base.webhook_url)
    parser.add_argument("--webhook-verifier", default=base.webhook_verifier)
    parser.add_argument("--webhook-batch-delay", type=float, default=base.webhook_batch_delay)
    parser.add_argument(
        "--webhook-retry-delays",
        type=_floats,
        default=base.webhook_retry_delays,
        help="comma-separated seconds between delivery attempts, e.g. 0.2,0.5,1",
    )
    parser.add_argument("--webhook-timeout", type=float, default=base.webhook_timeout)
    parser.add_argument("--fault-seed", type=int, default=base.fault_seed)
    parser.add_argument("--log-level", default=base.log_level)
    parser.add_argument(
        "--client-id",
        default=base.client_id,
        help="app-level OAuth client id shared by all realms (with --client-secret)",
    )
    parser.add_argument("--client-secret", default=base.client_secret)
    parser.add_argument(
        "--state-dir",
        default=base.state_dir,
        help="keep realms, tokens, entities and the webhook queue here across restarts",
    )
    parser.add_argument(
        "--latency",
        default=base.latency,
        help="response-time profile for every realm: off, intuit (p50 300 ms, p99 1.2 s) "
        "or p50=MS,p99=MS",
    )
    args = parser.parse_args(argv)
    config = SandboxConfig(
        host=args.host,
        port=args.port,
        webhook_url=args.webhook_url,
        webhook_verifier=args.webhook_verifier,
        webhook_batch_delay=args.webhook_batch_delay,
        webhook_retry_delays=tuple(args.webhook_retry_delays),
        webhook_timeout=args.webhook_timeout,
        fault_seed=args.fault_seed,
        log_level=args.log_level,
        client_id=args.client_id or None,
        client_secret=args.client_secret or None,
        state_dir=args.state_dir or None,
        latency=args.latency,
    )
    try:
        config.app_credentials()
        parse_latency(config.latency)
    except ValueError as exc:
        parser.error(str(exc))
    return config
