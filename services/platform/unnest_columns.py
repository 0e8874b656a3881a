"""Rows -> the parallel arrays a PostgreSQL `unnest($1::t1[], $2::t2[], ...)` statement takes.

A statement that writes many rows at once gets one array per column; this builds them from
the rows' attributes, so a call names each column once instead of repeating a comprehension.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum


def unnest_columns(rows: Sequence[object], *names: str) -> list[list[object]]:
    """One list per attribute name, holding that attribute of every row in row order. An
    enum member is given as its value (what the column stores). A name the rows lack raises
    AttributeError."""
    return [[_param(getattr(row, name)) for row in rows] for name in names]


def _param(value: object) -> object:
    return value.value if isinstance(value, Enum) else value
