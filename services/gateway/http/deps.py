"""Typed FastAPI dependencies for what the app holds (routes never read app.state)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from services.gateway.events.feed import FeedRegistry
from services.gateway.http.links import Links
from services.gateway.ops.kafka_stats import KafkaStatsReader
from services.gateway.ops.settings import OpsSettings
from services.gateway.settings import GatewaySettings
from services.platform.crypto import TokenCipher


def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


def _settings(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.settings
    return settings


def _page_key(request: Request) -> bytes:
    key: bytes = request.app.state.page_key
    return key


def _cipher(request: Request) -> TokenCipher | None:
    cipher: TokenCipher | None = request.app.state.cipher
    return cipher


def _feeds(request: Request) -> FeedRegistry:
    feeds: FeedRegistry = request.app.state.feeds
    return feeds


def _kafka_ready(request: Request) -> Callable[[], Awaitable[bool]]:
    ready: Callable[[], Awaitable[bool]] = request.app.state.kafka_ready
    return ready


DbPool = Annotated[asyncpg.Pool, Depends(_pool)]
Settings = Annotated[GatewaySettings, Depends(_settings)]
PageKey = Annotated[bytes, Depends(_page_key)]
Cipher = Annotated[TokenCipher | None, Depends(_cipher)]
Feeds = Annotated[FeedRegistry, Depends(_feeds)]
KafkaReady = Annotated[Callable[[], Awaitable[bool]], Depends(_kafka_ready)]


def _base_url(request: Request, settings: Settings) -> str:
    return (settings.gateway_public_url or str(request.base_url)).rstrip("/")


BaseUrl = Annotated[str, Depends(_base_url)]


def _links(base_url: BaseUrl, settings: Settings, page_key: PageKey) -> Links:
    return Links(base_url, page_key, settings.gateway_page_token_ttl_seconds)


LinkBuilder = Annotated[Links, Depends(_links)]


@cache
def _ops_settings() -> OpsSettings:
    return OpsSettings()


OpsConfig = Annotated[OpsSettings, Depends(_ops_settings)]


def _stats_reader(request: Request, settings: Settings, ops: OpsConfig) -> KafkaStatsReader:
    """The process's one reader, made on the ops view's first request."""
    reader: KafkaStatsReader | None = getattr(request.app.state, "ops_kafka_stats", None)
    if reader is None:
        groups = [ops.worker_group_id, settings.gateway_group_id]
        reader = KafkaStatsReader(settings.kafka_bootstrap_servers, groups)
        request.app.state.ops_kafka_stats = reader
    return reader


StatsReader = Annotated[KafkaStatsReader, Depends(_stats_reader)]
