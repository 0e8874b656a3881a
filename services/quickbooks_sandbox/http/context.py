"""Shared objects the routes need, stored on `app.state`."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from ..config import SandboxConfig
from ..domain.clock import Clock
from ..domain.sandbox import Sandbox
from ..webhooks import WebhookDispatcher


@dataclass
class SandboxContext:
    config: SandboxConfig
    sandbox: Sandbox
    webhooks: WebhookDispatcher
    clock: Clock


def get_context(request: Request) -> SandboxContext:
    context: SandboxContext = request.app.state.sandbox_context
    return context
