"""Database rows -> typed values, for dataclasses whose fields are named like the columns, and
objects -> the column arrays a multi-row `unnest(...)` statement takes."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from enum import Enum
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


def unnest_arrays(
    items: Sequence[Any], *names: str, **converted: Callable[[Any], Any]
) -> list[list[Any]]:
    """One array per name, of that attribute of every item in order: the arguments of
    `unnest($1::t[], $2::t[], ...)`, which writes any number of rows in one statement.
    `converted` gives a function to apply to a name's values first (e.g. to JSON text); an
    enum member is otherwise given as its value (what the column stores). A name the items
    lack raises AttributeError."""
    if unknown := converted.keys() - set(names):
        raise TypeError(f"converted columns not named: {', '.join(sorted(unknown))}")
    arrays = []
    for name in names:
        convert = converted.get(name, _column_value)
        arrays.append([convert(getattr(item, name)) for item in items])
    return arrays


def _column_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value
