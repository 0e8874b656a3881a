"""Building QuickBooks query-language statements safely."""

from __future__ import annotations

from collections.abc import Iterable


def quote(value: str) -> str:
    """A string literal for the QuickBooks query language (backslash escapes quotes)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def in_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(quote(v) for v in values) + ")"


def paged(statement: str, start_position: int, max_results: int) -> str:
    return f"{statement} STARTPOSITION {start_position} MAXRESULTS {max_results}"
