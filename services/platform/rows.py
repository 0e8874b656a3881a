"""Database rows -> typed values, for dataclasses whose fields are named like the columns."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


def record_of(cls: type[T], row: Mapping[str, Any], **converted: Any) -> T:
    """`cls` from the row's column of each field's name; `converted` gives the fields whose
    column needs parsing first (an enum, JSON). A missing column raises KeyError, a
    converted value for no field TypeError."""
    names = [f.name for f in fields(cls)]
    if unknown := converted.keys() - set(names):
        raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
    return cls(**{n: converted[n] if n in converted else row[n] for n in names})


def json_column(value: Any) -> Any:
    """A json/jsonb column's value: asyncpg hands it over as text unless a codec decoded it."""
    return json.loads(value) if isinstance(value, str) else value
