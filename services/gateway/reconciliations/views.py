"""Database rows -> API bodies and CSV lines."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from services.contract.reconciliation import FieldDifference

from .model import Run, StoredFinding
from .schemas import Difference, ReconciliationLinks, ReconciliationRun


def run_body(run: Run, links: ReconciliationLinks) -> ReconciliationRun:
    total, checked = run.invoices_total, run.invoices_checked
    # The other fields are the run's of the same names.
    return ReconciliationRun.model_validate(
        {
            **asdict(run),
            "id": run.reconciliation_id,
            "progress": 1.0 if run.done else (checked / total if total else 0.0),
            "counts": run.categories or None,
            "totals": run.totals or None,
            "links": links,
        }
    )


def _money(value: Any) -> str | None:
    return None if value is None else format(value, "f")


def difference_body(finding: StoredFinding) -> Difference:
    # The other fields are the finding's of the same names.
    return Difference.model_validate(
        {
            **asdict(finding),
            "mediaos_total": _money(finding.mediaos_total),
            "quickbooks_total": _money(finding.quickbooks_total),
        }
    )


CSV_COLUMNS = (
    "category",
    "invoice_id",
    "number",
    "external_id",
    "external_number",
    "mediaos_total",
    "quickbooks_total",
    "field",
    "mediaos_value",
    "quickbooks_value",
    "edited_in_quickbooks",
    "reason",
)


def csv_lines(rows: Iterable[StoredFinding]) -> Iterable[str]:
    """One line per field difference (one per invoice when it has none)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        body = difference_body(row)
        head = [
            body.category.value,
            body.invoice_id or "",
            body.number or "",
            body.external_id or "",
            body.external_number or "",
            body.mediaos_total or "",
            body.quickbooks_total or "",
        ]
        tail = [
            "" if body.edited_in_quickbooks is None else str(body.edited_in_quickbooks).lower(),
            body.reason or "",
        ]
        diffs: list[FieldDifference | None] = list(body.differences) or [None]
        for diff in diffs:
            values = (
                [diff.field, diff.mediaos or "", diff.quickbooks or ""] if diff else ["", "", ""]
            )
            writer.writerow(head + values + tail)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
