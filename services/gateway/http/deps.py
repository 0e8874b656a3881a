"""Typed FastAPI dependencies for what the app holds (routes never read app.state)."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from services.gateway.settings import GatewaySettings


def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


def _settings(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.settings
    return settings


def _base_url(request: Request) -> str:
    configured: str = request.app.state.settings.gateway_public_url
    return (configured or str(request.base_url)).rstrip("/")


DbPool = Annotated[asyncpg.Pool, Depends(_pool)]
Settings = Annotated[GatewaySettings, Depends(_settings)]
BaseUrl = Annotated[str, Depends(_base_url)]
