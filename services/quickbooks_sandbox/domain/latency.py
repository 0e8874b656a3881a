"""Response-time profiles: lognormal, given by its median (p50) and 99th percentile.

`intuit` (p50 300 ms, p99 1.2 s) is near what QBO's v3 API answers in from a US data
centre for single-entity reads and writes: a few hundred milliseconds typical, with a tail
into seconds (issue #13 measured the project against ~400 ms; Intuit times out at 120 s).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

Z_99 = 2.3263478740408408  # standard normal 99th percentile


@dataclass(frozen=True)
class LatencyProfile:
    p50_ms: float
    p99_ms: float

    def __post_init__(self) -> None:
        if self.p50_ms <= 0 or self.p99_ms < self.p50_ms:
            raise ValueError("latency needs 0 < p50_ms <= p99_ms")

    def sample(self, rng: random.Random) -> float:
        """One response delay in seconds."""
        sigma = (math.log(self.p99_ms) - math.log(self.p50_ms)) / Z_99
        return math.exp(math.log(self.p50_ms) + sigma * rng.gauss(0.0, 1.0)) / 1000

    def describe(self) -> dict[str, Any]:
        return {"distribution": "lognormal", "p50_ms": self.p50_ms, "p99_ms": self.p99_ms}


INTUIT = LatencyProfile(300.0, 1200.0)
PRESETS = {"intuit": INTUIT}


def parse_latency(text: str | None) -> LatencyProfile | None:
    """`off`/empty -> None; `intuit`; or `p50=250,p99=1200` (milliseconds)."""
    if text is None or text.strip().lower() in ("", "off", "none", "0"):
        return None
    name = text.strip().lower()
    if name in PRESETS:
        return PRESETS[name]
    parts = dict(part.split("=", 1) for part in name.split(",") if "=" in part)
    try:
        return LatencyProfile(float(parts["p50"]), float(parts["p99"]))
    except (KeyError, ValueError) as exc:
        raise ValueError(
            f"latency must be 'off', 'intuit' or 'p50=MS,p99=MS', not {text!r}"
        ) from exc


def latency_from_spec(spec: dict[str, Any]) -> LatencyProfile | None:
    """Admin body: `{"profile": "intuit"|"off"}` or `{"p50_ms": .., "p99_ms": ..}`."""
    if "profile" in spec:
        return parse_latency(str(spec["profile"]))
    p50, p99 = spec.get("p50_ms"), spec.get("p99_ms")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (p50, p99)):
        raise ValueError("give profile, or numeric p50_ms and p99_ms")
    return LatencyProfile(float(p50), float(p99))  # type: ignore[arg-type]
