"""What a processed unit of work leaves behind, committed in one transaction with its end.

A `Completion` is plain data: the outcome, the result events, the ledger writes, the
QuickBooks changes to publish (each at most once) and the CDC cursor. The PostgreSQL adapter
(`store.apply_completion`) writes it; nothing in the sync core commits on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.platform.outbox import OutboxMessage


class UnitKind(StrEnum):
    """What a unit of work does (the value is what `work_items.kind` stores)."""

    AUTO = "auto"  # automatic sync of one invoice version (two-way mode)
    PUSH = "push"  # one invoice of a Send to QuickBooks batch
    WEBHOOK = "inbound"  # a QuickBooks webhook notification
    CDC = "cdc"  # a periodic QuickBooks change-data-capture sweep

    @property
    def is_outbound(self) -> bool:
        return self in (UnitKind.AUTO, UnitKind.PUSH)


class OutcomeKind(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    IGNORED = "ignored"
    PUBLISHED = "published"
    SWEPT = "cdc"
    RETRY = "retry"


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: OutcomeKind
    detail: str = ""

    def __str__(self) -> str:
        """As stored in `work_items.outcome` and used as a metric label."""
        return f"{self.kind.value}:{self.detail}" if self.detail else self.kind.value


class LedgerStatus(StrEnum):
    ACTIVE = "active"
    VOIDED = "voided"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class LedgerRecord:
    """What a QuickBooks write left: the invoice's Id, number, SyncToken and fingerprint."""

    tenant_id: str
    invoice_id: str
    realm_id: str
    generation: int
    external_id: str
    external_number: str | None
    sync_token: str
    synced_version: int | None
    status: LedgerStatus
    fingerprint: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class LedgerForget:
    """The QuickBooks invoice is gone; a later push creates a new one (`generation`)."""

    tenant_id: str
    invoice_id: str
    generation: int


@dataclass(frozen=True, slots=True)
class CreateRejected:
    """QuickBooks definitively refused the create of `generation`: nothing was created, so
    the next attempt uses the next generation (a fresh request id, see `request_ids`)."""

    tenant_id: str
    invoice_id: str
    generation: int


LedgerWrite = LedgerRecord | LedgerForget | CreateRejected


@dataclass(frozen=True, slots=True)
class InboundPublish:
    """A QuickBooks-side change, published only if the ledger has not seen its token."""

    tenant_id: str
    invoice_id: str
    sync_token: str
    status: LedgerStatus
    message: OutboxMessage


@dataclass(frozen=True, slots=True)
class CdcCursor:
    tenant_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Retry:
    seconds: float
    counts_as_attempt: bool = True


@dataclass(slots=True)
class Completion:
    outcome: Outcome
    results: list[OutboxMessage] = field(default_factory=list)
    ledger: list[LedgerWrite] = field(default_factory=list)
    inbound: list[InboundPublish] = field(default_factory=list)
    cdc_cursor: CdcCursor | None = None
    retry: Retry | None = None

    @classmethod
    def of(cls, kind: OutcomeKind, detail: str = "") -> Completion:
        return cls(Outcome(kind, detail))

    @classmethod
    def retry_in(cls, seconds: float, reason: str, *, counts_as_attempt: bool = True) -> Completion:
        return cls(Outcome(OutcomeKind.RETRY, reason), retry=Retry(seconds, counts_as_attempt))

    def merge(self, other: Completion) -> None:
        self.results.extend(other.results)
        self.ledger.extend(other.ledger)
        self.inbound.extend(other.inbound)
