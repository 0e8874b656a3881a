"""What a processed unit of work leaves behind, written in one transaction with its end."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg

from services.platform.outbox import OutboxMessage

LedgerWrite = Callable[[asyncpg.Connection], Awaitable[None]]


@dataclass(slots=True)
class Completion:
    outcome: str
    messages: list[OutboxMessage] = field(default_factory=list)
    ledger_writes: list[LedgerWrite] = field(default_factory=list)
    retry_in_seconds: float | None = None
    counts_as_attempt: bool = True

    @classmethod
    def retry(cls, seconds: float, reason: str, *, counts_as_attempt: bool = True) -> Completion:
        return cls(
            outcome=f"retry:{reason}",
            retry_in_seconds=seconds,
            counts_as_attempt=counts_as_attempt,
        )
