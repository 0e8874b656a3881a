"""The gateway process: FastAPI + the progress consumer + the outbox relay + the change
listener. Wiring only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import structlog
from fastapi import Depends, FastAPI
from faststream.kafka import KafkaBroker

from services.contract.topics import Topic
from services.gateway.auth.page_tokens import derive_key
from services.gateway.batches.repository import CHANGES_CHANNEL
from services.gateway.connections.handler import ConnectionStatusHandler
from services.gateway.events.feed import FeedRegistry
from services.gateway.events.notifier import ChangeNotifier
from services.gateway.http import (
    batch_history_routes,
    batch_routes,
    connection_routes,
    event_routes,
    health_routes,
    inbox_routes,
    metrics_routes,
    ops_routes,
    page_routes,
    reconciliation_routes,
    status_routes,
    token_routes,
    webhook_routes,
)
from services.gateway.http.body_limit import BodySizeLimit
from services.gateway.http.error_guard import ErrorGuard
from services.gateway.http.idempotency import Idempotency
from services.gateway.http.openapi_problems import install_problem_openapi
from services.gateway.http.path_guard import check_path_params
from services.gateway.http.problems import install_problem_handlers
from services.gateway.http.request_id import RequestId
from services.gateway.inbox.handler import HandlerChain, InboxHandler
from services.gateway.observability import metrics
from services.gateway.observability.metrics import RequestMetrics
from services.gateway.progress.handler import GatewayEventHandler
from services.gateway.reconciliations.ingest import WithReconciliations
from services.gateway.reconciliations.nightly import schedule_nightly
from services.gateway.settings import GatewaySettings
from services.platform.consumer_lag import poll_lag, set_lag_gauge
from services.platform.crypto import TokenCipher, parse_keys
from services.platform.ingest import IngestOutcome
from services.platform.ingest.subscriber import subscribe_ingest
from services.platform.logging import configure_logging
from services.platform.runtime import PlatformRuntime

SCHEMA = "gateway"
CONSUMED_TOPICS = (
    Topic.RESULTS,
    Topic.PUSH_REQUESTS,
    Topic.RECONCILIATIONS,
    Topic.CONNECTION_STATUS,
)

log = structlog.get_logger(__name__)


def build_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    configure_logging("gateway", settings.log_level, settings.log_format)
    broker = KafkaBroker(settings.kafka_bootstrap_servers, logger=None)
    platform = PlatformRuntime(
        settings, SCHEMA, "services.gateway.migrations", settings.outbox_poll_seconds
    )
    _subscribe(broker, settings, platform)
    app = FastAPI(
        title="MediaOS QuickBooks sync gateway",
        version="1.0.0",
        description="Send invoices to QuickBooks and follow their progress.",
        lifespan=_lifespan(settings, broker, platform),
        dependencies=[Depends(check_path_params)],
    )
    _configure(app, settings)
    return app


def _subscribe(broker: KafkaBroker, settings: GatewaySettings, platform: PlatformRuntime) -> None:
    def count_results(outcome: IngestOutcome, _seconds: float) -> None:
        metrics.RESULTS_CONSUMED.inc(outcome.by_topic[(Topic.RESULTS.value, "stored")])

    subscribe_ingest(
        broker,
        [t.value for t in CONSUMED_TOPICS],
        group_id=settings.gateway_group_id,
        pool=platform.require_pool,
        handler=lambda: WithReconciliations(
            HandlerChain(GatewayEventHandler(), InboxHandler(), ConnectionStatusHandler())
        ),
        consumer_name=f"gateway:{settings.gateway_instance_id}",
        max_records=settings.ingest_max_records,
        on_batch=count_results,
    )


def _lifespan(
    settings: GatewaySettings, broker: KafkaBroker, platform: PlatformRuntime
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await platform.start()
        notifier = ChangeNotifier(settings.database_url.get_secret_value(), CHANGES_CHANNEL)
        await notifier.start()
        nightly_task = schedule_nightly(platform.require_pool())
        lag_task = asyncio.create_task(
            poll_lag(
                settings.kafka_bootstrap_servers,
                settings.gateway_group_id,
                lambda lag: set_lag_gauge(metrics.CONSUMER_LAG, lag),
            ),
            name="gateway-consumer-lag",
        )
        await broker.start()
        app.state.pool = platform.require_pool()
        app.state.notifier = notifier
        app.state.feeds = feeds = FeedRegistry(
            platform.require_pool(),
            notifier,
            refresh_seconds=settings.gateway_sse_keepalive_seconds,
        )
        app.state.kafka_ready = lambda: broker.ping(timeout=2)
        log.info("gateway_started", instance=settings.gateway_instance_id)
        try:
            yield
        finally:
            await broker.stop()
            nightly_task.cancel()
            lag_task.cancel()
            await asyncio.gather(lag_task, return_exceptions=True)
            await feeds.stop()
            await notifier.stop()
            await platform.stop()
            log.info("gateway_stopped", instance=settings.gateway_instance_id)

    return lifespan


def _configure(app: FastAPI, settings: GatewaySettings) -> None:
    """State, problem handlers, middleware and routes."""
    app.state.settings = settings
    app.state.page_key = derive_key(
        (settings.gateway_page_token_secret or settings.gateway_admin_token).get_secret_value()
    )
    keys = settings.token_encryption_keys
    app.state.cipher = TokenCipher(parse_keys(keys.get_secret_value())) if keys else None
    install_problem_handlers(app)
    install_problem_openapi(app)
    app.add_middleware(Idempotency)
    app.add_middleware(ErrorGuard)
    app.add_middleware(BodySizeLimit, max_bytes=settings.gateway_max_body_bytes)
    app.add_middleware(RequestMetrics)
    app.add_middleware(RequestId)
    for module in (
        health_routes,
        metrics_routes,
        batch_history_routes,
        batch_routes,
        event_routes,
        inbox_routes,
        status_routes,
        connection_routes,
        token_routes,
        webhook_routes,
        page_routes,
        reconciliation_routes,
        ops_routes,
    ):
        app.include_router(module.router)
