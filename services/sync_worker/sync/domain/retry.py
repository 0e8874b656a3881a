"""How often and how soon a unit of work is tried again: one policy for every kind."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    base_seconds: float = 2.0
    max_seconds: float = 60.0

    def may_retry(self, attempts: int) -> bool:
        return attempts < self.max_attempts

    def backoff(self, attempts: int) -> float:
        """Seconds before the next attempt after `attempts` (1, 2, ...): base * 2^(n-1)."""
        return float(min(self.base_seconds * 2 ** max(attempts - 1, 0), self.max_seconds))
