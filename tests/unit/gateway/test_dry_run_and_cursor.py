"""Dry-run findings and pagination cursors (pure)."""

from __future__ import annotations

import uuid

import pytest

from services.gateway.batches.cursor import InvalidCursor, decode_cursor, encode_cursor
from services.gateway.batches.dry_run import FindingKind, LastResult, findings_for, is_blocking


def _last(invoice_id: str, code: str | None, number: str | None = None) -> LastResult:
    event = "invoice.sync.failed" if code else "invoice.sync.succeeded"
    return LastResult(invoice_id, event, code, f"{code} text" if code else None, None, number)


def test_findings_come_from_open_batches_and_last_results() -> None:
    open_batch = uuid.uuid4()
    findings = findings_for(
        ["a", "b", "c", "d", "e", "f"],
        open_batches={"a": open_batch},
        last_results={
            "b": _last("b", "PRODUCT_NOT_MAPPED"),
            "c": _last("c", "QBO_DUPLICATE_NUMBER"),
            "d": _last("d", "INVOICE_UNKNOWN"),
            "e": _last("e", None, "1001"),
            "f": _last("f", "QBO_UNAVAILABLE"),
        },
    )
    kinds = [(f.invoice_id, f.kind) for f in findings]
    assert kinds == [
        ("a", FindingKind.IN_RUNNING_BATCH),
        ("b", FindingKind.PRODUCT_NOT_MAPPED),
        ("c", FindingKind.DUPLICATE_NUMBER),
        ("d", FindingKind.INVOICE_UNKNOWN),
        ("e", FindingKind.WILL_OVERWRITE),
    ]
    assert findings[0].batch_id == open_batch
    assert [is_blocking(f) for f in findings] == [True, True, True, True, False]
    assert findings[4].external_number == "1001"


def test_cursor_round_trip_and_garbage() -> None:
    cursor = encode_cursor(17, "INV/ä 1")
    assert decode_cursor(cursor) == (17, "INV/ä 1")
    for bad in ("garbage", "", encode_cursor(1, "x")[:-3] + "!!!", "WzEsMl0"):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad)
