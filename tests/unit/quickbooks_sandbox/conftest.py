"""Domain fixtures: a seeded realm with a fixed clock and a recorded event sink."""

from __future__ import annotations

import pytest

from services.quickbooks_sandbox.domain.events import ChangeEvent
from services.quickbooks_sandbox.domain.realm import Realm
from services.quickbooks_sandbox.domain.sandbox import Sandbox

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@pytest.fixture
def events() -> list[ChangeEvent]:
    return []


@pytest.fixture
def sandbox(events: list[ChangeEvent]) -> Sandbox:
    return Sandbox(sink=events.append)


@pytest.fixture
def realm(sandbox: Sandbox) -> Realm:
    created = sandbox.create_realm(
        {
            "items": [
                {"name": "Display Ad", "unit_price": "100.00"},
                {"name": "Retired Ad", "unit_price": "50.00", "active": False},
            ],
            "customers": [{"display_name": "Acme Media"}, {"display_name": "Globex"}],
        },
        NOW,
    )
    return created.realm
