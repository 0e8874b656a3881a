"""Throttle windows, token rotation, fault injection rules, replay cache, settings."""

from __future__ import annotations

import pytest

from services.quickbooks_sandbox.domain.faults import FaultInjector, parse_rule
from services.quickbooks_sandbox.domain.idempotency import ReplayCache, StoredResponse
from services.quickbooks_sandbox.domain.settings import RateLimits, RealmSettings
from services.quickbooks_sandbox.domain.stats import RealmStats
from services.quickbooks_sandbox.domain.throttle import Throttle
from services.quickbooks_sandbox.domain.tokens import TokenError, TokenStore


def test_per_second_window_slides() -> None:
    throttle = Throttle(RateLimits(per_minute=500, per_second=10))
    assert all(throttle.try_acquire(100.0) for _ in range(10))
    assert not throttle.try_acquire(100.5)
    assert throttle.try_acquire(101.01)


def test_per_minute_window() -> None:
    throttle = Throttle(RateLimits(per_minute=5, per_second=100))
    assert all(throttle.try_acquire(10.0 + i) for i in range(5))
    assert not throttle.try_acquire(30.0)
    assert throttle.try_acquire(70.5)


def test_a_batch_is_one_request_per_second_and_one_call_per_item_per_minute() -> None:
    throttle = Throttle(RateLimits(per_minute=40, per_second=10))
    assert throttle.admit(0.0, calls=30, batch=True) is None
    assert throttle.second.count(0.0) == 1
    refusal = throttle.admit(0.1, calls=11, batch=True)  # 41 calls > 40 per minute
    assert refusal is not None and refusal.window == "minute"
    assert 59.8 < refusal.retry_after <= 60.0
    assert throttle.admit(0.1, calls=10, batch=True) is None  # all or nothing


def test_batch_requests_per_minute() -> None:
    throttle = Throttle(RateLimits(per_minute=10_000, per_second=1000, batch_per_minute=40))
    assert all(throttle.admit(i * 0.01, calls=1, batch=True) is None for i in range(40))
    refusal = throttle.admit(1.0, calls=1, batch=True)
    assert refusal is not None and (refusal.window, refusal.limit) == ("batch-minute", 40)
    assert throttle.admit(1.0, calls=1) is None  # plain requests are not batch requests
    assert throttle.admit(60.01, calls=1, batch=True) is None


def test_per_second_refusal_names_the_real_wait() -> None:
    throttle = Throttle(RateLimits(per_minute=500, per_second=2))
    throttle.admit(10.0)
    throttle.admit(10.4)
    refusal = throttle.admit(10.5)
    assert refusal is not None and refusal.window == "second"
    assert refusal.retry_after == pytest.approx(0.5)


def test_throttled_calls_do_not_consume_budget_and_peaks_are_tracked() -> None:
    throttle = Throttle(RateLimits(per_minute=500, per_second=2))
    results = [throttle.try_acquire(0.0) for _ in range(5)]
    assert results == [True, True, False, False, False]
    assert throttle.second.peak == 2
    assert throttle.attempted_second.peak == 5
    stats = RealmStats()
    stats.record("invoice.create", 200)
    stats.record("invoice.create", 429, throttled=True)
    snapshot = stats.snapshot(throttle)
    assert snapshot["requests"] == {"invoice.create": {"200": 1, "429": 1}}
    assert (snapshot["total_requests"], snapshot["throttled"]) == (2, 1)
    assert snapshot["peak_per_second"] == 2


def test_limits_change_takes_effect_immediately() -> None:
    limits = RateLimits(per_minute=500, per_second=1)
    throttle = Throttle(limits)
    assert throttle.try_acquire(0.0)
    assert not throttle.try_acquire(0.0)
    limits.update({"per_second": 5})
    assert throttle.try_acquire(0.0)


def _store() -> tuple[TokenStore, str]:
    store = TokenStore("client", "secret")
    return store, store.issue_refresh_token(0.0, 8_726_400)


def test_refresh_rotates_and_old_token_is_invalid_grant() -> None:
    store, first = _store()
    pair = store.refresh(first, 1.0, 3600, 8_726_400, grace=0)
    assert pair.refresh_token != first
    assert store.access_state(pair.access_token, 2.0) == "valid"
    with pytest.raises(TokenError) as excinfo:
        store.refresh(first, 1.5, 3600, 8_726_400, grace=0)
    assert excinfo.value.error == "invalid_grant"
    assert store.refresh(pair.refresh_token, 2.0, 3600, 8_726_400, grace=0).refresh_token


def test_replay_within_grace_returns_the_same_pair() -> None:
    store, first = _store()
    pair = store.refresh(first, 1.0, 3600, 8_726_400, grace=5)
    assert store.refresh(first, 3.0, 3600, 8_726_400, grace=5) == pair
    with pytest.raises(TokenError):
        store.refresh(first, 10.0, 3600, 8_726_400, grace=5)


def test_unknown_and_expired_refresh_tokens() -> None:
    store, first = _store()
    with pytest.raises(TokenError):
        store.refresh("RT1-nope", 1.0, 3600, 100, grace=0)
    with pytest.raises(TokenError):
        store.refresh(first, 9_000_000.0, 3600, 100, grace=0)


def test_access_tokens_expire_by_ttl_and_on_demand() -> None:
    store, _ = _store()
    token = store.issue_access_token(0.0, 60)
    assert store.access_state(token, 59.9) == "valid"
    assert store.access_state(token, 60.0) == "expired"
    fresh = store.issue_access_token(100.0, 3600)
    assert store.expire_access_tokens(200.0) == 2
    assert store.access_state(fresh, 200.0) == "expired"
    assert store.access_state("other", 0.0) == "unknown"


def test_client_credentials_check() -> None:
    store, _ = _store()
    assert store.client_matches("client", "secret")
    assert not store.client_matches("client", "wrong")


def test_fault_rules_count_endpoint_filter_and_latency_stacking() -> None:
    injector = FaultInjector()
    injector.add(parse_rule({"kind": "server_error", "status": 503, "endpoint": "invoice.create"}))
    injector.add(parse_rule({"kind": "latency", "latency_ms": 50, "count": 2}))
    query = injector.fire("query")
    assert (query.latency_ms, query.terminal) == (50, None)
    create = injector.fire("invoice.create")
    assert create.latency_ms == 50
    assert create.terminal is not None and create.terminal.status == 503
    assert injector.fire("invoice.create").terminal is None
    assert injector.rules == []


def test_rate_based_faults_are_seeded() -> None:
    def pattern(seed: int) -> list[bool]:
        injector = FaultInjector(seed=seed)
        injector.add(parse_rule({"kind": "throttle", "rate": 0.3}))
        return [injector.fire("query").terminal is not None for _ in range(200)]

    assert pattern(7) == pattern(7)
    assert 30 < sum(pattern(7)) < 90


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "explode"},
        {"kind": "server_error", "status": 404},
        {"kind": "throttle", "count": 0},
        {"kind": "throttle", "rate": 2},
        {"kind": "drop_after_commit", "mode": "vanish"},
    ],
)
def test_invalid_fault_specs(spec: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        parse_rule(spec)


def test_replay_cache_is_bounded() -> None:
    cache = ReplayCache(capacity=2)
    for key in ("a", "b", "c"):
        cache.put(key, StoredResponse(200, {"k": key}))
    assert cache.get("a") is None
    assert cache.get("c") == StoredResponse(200, {"k": "c"})


def test_settings_validation() -> None:
    settings = RealmSettings()
    settings.update({"batch_max_items": 10, "throttle_as_xml": True})
    assert (settings.batch_max_items, settings.throttle_as_xml) == (10, True)
    for bad in (
        {"nope": 1},
        {"throttle_as_xml": "yes"},
        {"batch_max_items": -1},
        {"batch_max_items": 0},
    ):
        with pytest.raises(ValueError):
            settings.update(bad)
