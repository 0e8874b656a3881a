"""What a push would run into, as far as the gateway can know (pure).

The gateway holds no invoice data: it cannot see products or numbers. It knows which
invoices are waiting in an unfinished batch and each invoice's last sync result, so it
reports those; the worker decides for real when the batch is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

LIMITATIONS = (
    "The gateway has no invoice data of its own: findings come from unfinished batches and "
    "each invoice's last sync result. An invoice never synced before may still fail with "
    "PRODUCT_NOT_MAPPED, INVOICE_UNKNOWN or QBO_DUPLICATE_NUMBER when sent."
)


class FindingKind(StrEnum):
    IN_RUNNING_BATCH = "in_running_batch"
    PRODUCT_NOT_MAPPED = "product_not_mapped"
    DUPLICATE_NUMBER = "duplicate_number"
    INVOICE_UNKNOWN = "invoice_unknown"
    WILL_OVERWRITE = "will_overwrite"


# Last-result error codes that will most likely fail again unless something is fixed.
_BLOCKING_CODES: dict[str, FindingKind] = {
    "PRODUCT_NOT_MAPPED": FindingKind.PRODUCT_NOT_MAPPED,
    "QBO_DUPLICATE_NUMBER": FindingKind.DUPLICATE_NUMBER,
    "INVOICE_UNKNOWN": FindingKind.INVOICE_UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class Finding:
    invoice_id: str
    kind: FindingKind
    message: str
    batch_id: UUID | None = None
    external_number: str | None = None
    details: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class LastResult:
    invoice_id: str
    event_type: str
    error_code: str | None
    error_message: str | None
    error_details: Mapping[str, Any] | None
    external_number: str | None


def findings_for(
    invoice_ids: Sequence[str],
    *,
    open_batches: Mapping[str, UUID],
    last_results: Mapping[str, LastResult],
) -> list[Finding]:
    findings: list[Finding] = []
    for invoice_id in invoice_ids:
        batch_id = open_batches.get(invoice_id)
        if batch_id is not None:
            findings.append(
                Finding(
                    invoice_id,
                    FindingKind.IN_RUNNING_BATCH,
                    "Already waiting in an unfinished batch.",
                    batch_id=batch_id,
                )
            )
        last = last_results.get(invoice_id)
        if last is None:
            continue
        kind = _BLOCKING_CODES.get(last.error_code or "")
        if kind is not None:
            findings.append(
                Finding(
                    invoice_id,
                    kind,
                    last.error_message or kind.value,
                    details=last.error_details,
                )
            )
        elif last.external_number:
            findings.append(
                Finding(
                    invoice_id,
                    FindingKind.WILL_OVERWRITE,
                    f"QuickBooks invoice {last.external_number} will be overwritten.",
                    external_number=last.external_number,
                )
            )
    return findings


def is_blocking(finding: Finding) -> bool:
    return finding.kind is not FindingKind.WILL_OVERWRITE
