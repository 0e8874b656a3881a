"""Fault injection rules: scripted throttles, server errors, latency and dropped responses."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Literal, cast

FaultKind = Literal["throttle", "server_error", "latency", "drop_after_commit"]
DropMode = Literal["hang", "abort"]
KINDS: tuple[str, ...] = ("throttle", "server_error", "latency", "drop_after_commit")
SERVER_ERROR_STATUSES = (500, 502, 503, 504)


@dataclass
class FaultRule:
    kind: FaultKind
    remaining: int | None = 1
    rate: float | None = None
    endpoint: str | None = None
    status: int = 500
    latency_ms: int = 0
    xml: bool = False
    hang_seconds: float = 30.0
    mode: DropMode = "hang"

    def matches(self, label: str) -> bool:
        return self.endpoint is None or self.endpoint == label

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.remaining,
            "rate": self.rate,
            "endpoint": self.endpoint,
            "status": self.status,
            "latency_ms": self.latency_ms,
            "xml": self.xml,
            "hang_seconds": self.hang_seconds,
            "mode": self.mode,
        }


def _number(spec: dict[str, Any], key: str, default: float) -> float:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{key} must be a non-negative number")
    return float(value)


def parse_rule(spec: dict[str, Any]) -> FaultRule:
    """Validate an admin fault spec; raises ValueError with a readable reason."""
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    rule = FaultRule(kind=cast(FaultKind, kind))
    if spec.get("rate") is not None:
        rate = _number(spec, "rate", 0)
        if rate > 1:
            raise ValueError("rate must be between 0 and 1")
        rule.rate, rule.remaining = rate, None
    else:
        count = spec.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive integer")
        rule.remaining = count
    endpoint = spec.get("endpoint")
    if endpoint is not None and not isinstance(endpoint, str):
        raise ValueError("endpoint must be a string label such as 'invoice.create'")
    rule.endpoint = endpoint
    status = spec.get("status", 500)
    if kind == "server_error" and status not in SERVER_ERROR_STATUSES:
        raise ValueError(f"status must be one of {SERVER_ERROR_STATUSES}")
    rule.status = int(status)
    rule.latency_ms = int(_number(spec, "latency_ms", 0))
    rule.xml = bool(spec.get("xml", False))
    rule.hang_seconds = _number(spec, "hang_seconds", 30.0)
    mode = spec.get("mode", "hang")
    if mode not in ("hang", "abort"):
        raise ValueError("mode must be 'hang' or 'abort'")
    rule.mode = cast(DropMode, mode)
    return rule


@dataclass
class FiredFaults:
    latency_ms: int = 0
    terminal: FaultRule | None = None


@dataclass
class FaultInjector:
    seed: int = 0
    rules: list[FaultRule] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def add(self, rule: FaultRule) -> None:
        self.rules.append(rule)

    def clear(self) -> None:
        self.rules.clear()

    def fire(self, label: str) -> FiredFaults:
        """Consume the rules that apply to this request: any latency plus one outcome."""
        fired = FiredFaults()
        for rule in list(self.rules):
            if not rule.matches(label):
                continue
            if rule.kind != "latency" and fired.terminal is not None:
                continue
            if rule.rate is not None:
                if self._rng.random() >= rule.rate:
                    continue
            else:
                assert rule.remaining is not None
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.rules.remove(rule)
            if rule.kind == "latency":
                fired.latency_ms += rule.latency_ms
            else:
                fired.terminal = rule
        return fired
