"""App factory: `create_app(config)` wires the domain, webhooks and routes together."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from .config import SandboxConfig
from .domain.clock import Clock, system_clock
from .domain.latency import parse_latency
from .domain.sandbox import Sandbox
from .http import admin_latency, admin_routes, oauth_routes, qbo_routes
from .http.context import SandboxContext
from .http.drop import SandboxApp
from .state import StateStore
from .webhooks import WebhookDispatcher


def create_app(config: SandboxConfig | None = None, clock: Clock = system_clock) -> FastAPI:
    config = config or SandboxConfig()
    webhooks = WebhookDispatcher(
        url=config.webhook_url,
        verifier_token=config.webhook_verifier,
        batch_delay=config.webhook_batch_delay,
        retry_delays=tuple(config.webhook_retry_delays),
        timeout=config.webhook_timeout,
    )
    sandbox = Sandbox(
        sink=webhooks.enqueue,
        fault_seed=config.fault_seed,
        app_credentials=config.app_credentials(),
    )
    state = StateStore(Path(config.state_dir)) if config.state_dir else None
    if state is not None:
        for realm in state.load_realms(config.fault_seed):
            sandbox.adopt(realm)
        webhooks.on_change = state.save_webhooks
    context = SandboxContext(
        config=config,
        sandbox=sandbox,
        webhooks=webhooks,
        clock=clock,
        state=state,
        latency=parse_latency(config.latency),
        rng=random.Random(config.fault_seed),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if state is not None:
            webhooks.restore(state.load_webhooks())
        yield
        await webhooks.close()

    app = SandboxApp(
        title="QuickBooks Online sandbox",
        description="Local reproduction of the QBO v3 API for tests. See README.md.",
        lifespan=lifespan,
        docs_url="/_sandbox/docs",
        openapi_url="/_sandbox/openapi.json",
        redoc_url=None,
    )
    app.state.sandbox_context = context
    app.include_router(admin_routes.router)
    app.include_router(admin_latency.router)
    app.include_router(oauth_routes.router)
    app.include_router(qbo_routes.router)
    return app
