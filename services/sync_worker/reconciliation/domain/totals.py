"""Counts and amounts per category, the way an accountant ticks them off."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from services.contract.reconciliation import CategoryTotals, ReconciliationCategory
from services.contract.reconciliation import ReconciliationFinding as Finding


def _sum(findings: list[Finding]) -> CategoryTotals:
    return CategoryTotals(
        count=len(findings),
        mediaos_amount=sum((f.mediaos_total or Decimal("0") for f in findings), Decimal("0")),
        quickbooks_amount=sum((f.quickbooks_total or Decimal("0") for f in findings), Decimal("0")),
    )


def totals(
    findings: Iterable[Finding],
) -> tuple[dict[ReconciliationCategory, CategoryTotals], CategoryTotals]:
    """Every category (zero ones too) and the grand total, which their rows add up to."""
    rows = list(findings)
    per = {c: _sum([f for f in rows if f.category is c]) for c in ReconciliationCategory}
    return per, _sum(rows)
