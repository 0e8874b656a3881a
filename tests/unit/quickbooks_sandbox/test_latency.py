"""Latency profiles: lognormal from p50/p99, parsing, and where they apply."""

from __future__ import annotations

import random
import statistics

import pytest

from services.quickbooks_sandbox.config import parse_args
from services.quickbooks_sandbox.domain.latency import (
    INTUIT,
    LatencyProfile,
    latency_from_spec,
    parse_latency,
)
from services.quickbooks_sandbox.domain.realm import Realm
from services.quickbooks_sandbox.http.context import SandboxContext


def test_samples_have_the_requested_median_and_99th_percentile() -> None:
    rng = random.Random(7)
    samples = sorted(INTUIT.sample(rng) for _ in range(20_000))
    assert statistics.median(samples) == pytest.approx(0.300, rel=0.05)
    assert samples[int(len(samples) * 0.99)] == pytest.approx(1.2, rel=0.1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("off", None),
        ("", None),
        ("intuit", INTUIT),
        ("p50=100,p99=400", LatencyProfile(100, 400)),
    ],
)
def test_parse(text: str, expected: LatencyProfile | None) -> None:
    assert parse_latency(text) == expected


@pytest.mark.parametrize("text", ["fast", "p50=100", "p50=500,p99=100", "p50=0,p99=1"])
def test_parse_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        parse_latency(text)


def test_admin_spec_forms() -> None:
    assert latency_from_spec({"profile": "intuit"}) == INTUIT
    assert latency_from_spec({"profile": "off"}) is None
    assert latency_from_spec({"p50_ms": 50, "p99_ms": 90}) == LatencyProfile(50, 90)
    with pytest.raises(ValueError):
        latency_from_spec({"p50_ms": "slow"})


def test_cli_and_environment() -> None:
    assert parse_args([], {"QBO_SANDBOX_LATENCY": "intuit"}).latency == "intuit"
    assert parse_args(["--latency", "p50=10,p99=20"], {}).latency == "p50=10,p99=20"
    with pytest.raises(SystemExit):
        parse_args(["--latency", "sometimes"], {})


def test_realm_profile_overrides_the_global_one(realm: Realm) -> None:
    ctx = SandboxContext(config=None, sandbox=None, webhooks=None, clock=lambda: 0.0)  # type: ignore[arg-type]
    assert ctx.latency_for(realm) == 0.0
    ctx.latency = LatencyProfile(1000, 1000)
    assert ctx.latency_for(realm) == pytest.approx(1.0)
    realm.latency = LatencyProfile(10, 10)
    assert ctx.latency_for(realm) == pytest.approx(0.01)
    realm.latency, realm.latency_off = None, True
    assert ctx.latency_for(realm) == 0.0
