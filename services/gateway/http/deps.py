"""Typed FastAPI dependencies for what the app holds (routes never read app.state)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from services.gateway.events.feed import FeedRegistry
from services.gateway.http.links import Links
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
