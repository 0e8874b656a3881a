"""Shared objects the routes need, stored on `app.state`."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from fastapi import Request

from ..config import SandboxConfig
from ..domain.clock import Clock
from ..domain.latency import LatencyProfile
from ..domain.realm import Realm
from ..domain.sandbox import Sandbox
from ..state import StateStore
from ..webhooks import WebhookDispatcher


@dataclass
class SandboxContext:
    config: SandboxConfig
    sandbox: Sandbox
    webhooks: WebhookDispatcher
    clock: Clock
    state: StateStore | None = None
    # Applied to every /v3 call of a realm without a profile of its own (None: no delay).
    latency: LatencyProfile | None = None
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def latency_for(self, realm: Realm, items: int = 1) -> float:
        """Seconds this call of `realm` takes on top of its work. A `/batch` takes one sample
        per item: QuickBooks runs a batch's items one after another (Intuit's developer blog,
        "What are Batch Operations", 2017)."""
        profile = realm.latency if realm.latency is not None else self.latency
        if profile is None or realm.latency_off:
            return 0.0
        return sum(profile.sample(self.rng) for _ in range(max(items, 1)))

    def persist(self, realm: Realm | None) -> None:
        """Write the realm's snapshot (with --state-dir) before the response leaves."""
        if self.state is not None and realm is not None:
            self.state.save_realm(realm)


def get_context(request: Request) -> SandboxContext:
    context: SandboxContext = request.app.state.sandbox_context
    return context
