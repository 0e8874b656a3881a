"""Runs parsed queries against a realm, using indexes for Id, DocNumber and names."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from . import errors
from .clock import parse_timestamp
from .entities import Record
from .errors import JsonDict
from .money import to_decimal
from .query_parser import Condition, Literal, Query, parse_query
from .realm import ENTITIES, Realm

DEFAULT_MAX_RESULTS = 100
QUERYABLE: dict[str, frozenset[str]] = {
    "Invoice": frozenset(
        {
            "Id",
            "SyncToken",
            "DocNumber",
            "TxnDate",
            "DueDate",
            "CustomerRef",
            "TotalAmt",
            "Balance",
            "MetaData",
            "CurrencyRef",
            "PrivateNote",
            "EmailStatus",
        }
    ),
    "Customer": frozenset(
        {
            "Id",
            "SyncToken",
            "DisplayName",
            "GivenName",
            "FamilyName",
            "CompanyName",
            "FullyQualifiedName",
            "PrimaryEmailAddr",
            "Active",
            "Balance",
            "MetaData",
        }
    ),
    "Item": frozenset(
        {
            "Id",
            "SyncToken",
            "Name",
            "FullyQualifiedName",
            "Type",
            "Active",
            "Sku",
            "UnitPrice",
            "MetaData",
        }
    ),
}
_CANONICAL = {name.lower(): name for name in ENTITIES}


def _field_value(data: JsonDict, path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if isinstance(value, dict) and "Address" in value:
        value = value["Address"]
    return value


def _coerce(field: str, stored: Any, literal: Literal, offset: int) -> tuple[Any, Any]:
    """Bring a stored value and a query literal to comparable types."""
    if isinstance(stored, bool) or isinstance(literal, bool):
        return stored, literal if isinstance(literal, bool) else str(literal).lower() == "true"
    if isinstance(stored, int | float):
        number = to_decimal(literal)
        return Decimal(str(stored)), number
    if field.startswith("MetaData.") and isinstance(stored, str):
        try:
            return parse_timestamp(stored, offset), parse_timestamp(str(literal), offset)
        except ValueError:
            return stored, str(literal)
    return stored, str(literal)


def _matches(data: JsonDict, cond: Condition, offset: int) -> bool:
    stored = _field_value(data, cond.field)
    if stored is None:
        return False
    for literal in cond.values:
        left, right = _coerce(cond.field, stored, literal, offset)
        if right is None:
            return False
        if cond.op == "LIKE":
            pattern = str(right).replace("*", "[*]").replace("?", "[?]").replace("%", "*")
            if fnmatch.fnmatchcase(str(left).casefold(), pattern.casefold()):
                return True
        elif (cond.op in ("=", "IN") and left == right) or (cond.op == "!=" and left != right):
            return True
        elif cond.op in ("<", ">", "<=", ">="):
            try:
                if _compare(cond.op, left, right):
                    return True
            except TypeError:
                return False
    return False


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "<":
        return bool(left < right)
    if op == ">":
        return bool(left > right)
    if op == "<=":
        return bool(left <= right)
    return bool(left >= right)


def _candidates(realm: Realm, entity: str, where: list[Condition]) -> Iterable[Record]:
    table = realm.tables[entity]
    for cond in where:
        if cond.op not in ("=", "IN"):
            continue
        keys = [str(v) for v in cond.values]
        if cond.field == "Id":
            ids = keys
        elif entity == "Invoice" and cond.field == "DocNumber":
            ids = [i for k in keys for i in realm.doc_numbers.get(k, {})]
        elif entity == "Customer" and cond.field == "DisplayName":
            ids = [
                realm.customer_names[k.casefold()]
                for k in keys
                if k.casefold() in realm.customer_names
            ]
        elif entity == "Item" and cond.field == "Name":
            ids = [realm.item_names[k.casefold()] for k in keys if k.casefold() in realm.item_names]
        else:
            continue
        found = {i: table.get(i) for i in ids}
        return sorted((r for r in found.values() if r is not None), key=lambda r: int(r.id))
    return table.rows.values()


def _validate(query: Query) -> str:
    entity = _CANONICAL.get(query.entity.lower())
    if entity is None:
        raise errors.query_parse_error(f'Invalid entity name "{query.entity}"')
    allowed = QUERYABLE[entity]
    names = [c.field for c in query.where] + [name for name, _ in query.order_by]
    for name in names:
        if name.split(".")[0] not in allowed:
            raise errors.query_validation_error(f"property '{name}' is not queryable")
    return entity


def select(realm: Realm, query: Query) -> tuple[str, list[Record]]:
    entity = _validate(query)
    offset = realm.settings.tz_offset_minutes
    where = list(query.where)
    filters_active = any(c.field == "Active" for c in where)
    rows = [
        r
        for r in _candidates(realm, entity, where)
        if not r.deleted
        and (entity == "Invoice" or filters_active or r.data.get("Active", True))
        and all(_matches(r.data, c, offset) for c in where)
    ]
    for name, descending in reversed(query.order_by):
        rows.sort(key=_sort_key(name), reverse=descending)
    return entity, rows


def _sort_key(name: str) -> Callable[[Record], tuple[int, Any]]:
    def key(record: Record) -> tuple[int, Any]:
        return _sort_value(_field_value(record.data, name), name)

    return key


def _sort_value(value: Any, name: str) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if name == "Id":
        return (1, int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (1, float(value))
    return (2, str(value))


def _project(data: JsonDict, fields: tuple[str, ...]) -> JsonDict:
    if not fields or fields == ("*",):
        return data
    out = {name: data[name] for name in fields if name in data}
    out.setdefault("Id", data["Id"])
    out["sparse"] = True
    return out


def run_query(realm: Realm, text: str) -> JsonDict:
    """Return the `QueryResponse` object; an empty result is `{}` as in QBO."""
    query = parse_query(text)
    entity, rows = select(realm, query)
    if query.count:
        return {"totalCount": len(rows)}
    limit = min(
        query.max_results if query.max_results is not None else DEFAULT_MAX_RESULTS,
        realm.settings.query_max_results,
    )
    page = rows[query.start_position - 1 : query.start_position - 1 + limit]
    if not page:
        return {}
    return {
        entity: [_project(r.data, query.fields) for r in page],
        "startPosition": query.start_position,
        "maxResults": len(page),
    }
