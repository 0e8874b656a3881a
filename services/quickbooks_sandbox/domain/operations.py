"""Entity operations behind `POST /v3/company/{realm}/{entity}` and batch items."""

from __future__ import annotations

from collections.abc import Callable

from . import customers, errors, invoices, items
from .entities import Record
from .errors import JsonDict, QboFault
from .realm import Realm

OPERATIONS = ("create", "update", "delete", "void")

Write = Callable[[Realm, JsonDict, float], JsonDict]


def _data_of(write: Callable[[Realm, JsonDict, float], Record]) -> Write:
    """The write, returning the entity as a response carries it."""
    return lambda realm, body, now: write(realm, body, now).data


# What `POST /v3/company/{realm}/{entity}` does per (entity, operation); any other pair is
# refused as unsupported.
_WRITES: dict[tuple[str, str], Write] = {
    ("Invoice", "create"): _data_of(invoices.create_invoice),
    ("Invoice", "update"): _data_of(invoices.update_invoice),
    ("Invoice", "void"): _data_of(invoices.void_invoice),
    ("Invoice", "delete"): invoices.delete_invoice,  # the deleted stub: the entity is gone
    ("Customer", "create"): _data_of(customers.create_customer),
    ("Customer", "update"): _data_of(customers.update_customer),
    ("Item", "create"): _data_of(items.api_create_item),
    ("Item", "update"): _data_of(items.api_update_item),
}


def _canonical_entity(entity: str) -> str:
    names = {"invoice": "Invoice", "customer": "Customer", "item": "Item"}
    name = names.get(entity.lower())
    if name is None:
        raise QboFault("2010", "Unsupported entity", f"Entity {entity!r} is not supported", "")
    return name


def resolve_operation(body: JsonDict, operation: str | None) -> str:
    """create/update from the body shape unless `operation=void|delete` says otherwise."""
    if operation:
        op = operation.lower()
        if op not in OPERATIONS:
            raise errors.invalid_value("operation", f"Unsupported operation {operation!r}")
        if op in ("create", "update"):
            return "update" if body.get("Id") is not None else "create"
        return op
    return "update" if body.get("Id") is not None else "create"


def label_for(entity: str, body: object, operation: str | None) -> str:
    """Stable stats label such as `invoice.create`; never raises."""
    try:
        name = _canonical_entity(entity).lower()
        op = resolve_operation(body if isinstance(body, dict) else {}, operation)
    except QboFault:
        return f"{entity.lower()}.invalid"
    return f"{name}.{op}"


def execute_post(
    realm: Realm, entity: str, body: object, operation: str | None, now: float
) -> JsonDict:
    name = _canonical_entity(entity)
    if not isinstance(body, dict):
        raise errors.invalid_value(name, "Request body must be a JSON object")
    op = resolve_operation(body, operation)
    write = _WRITES.get((name, op))
    if write is None:
        raise errors.unsupported_operation(op, name)
    return {name: write(realm, body, now)}


def execute_read(realm: Realm, entity: str, entity_id: str) -> JsonDict:
    name = _canonical_entity(entity)
    if name == "Invoice":
        return {name: invoices.live_invoice(realm, entity_id).data}
    if name == "Customer":
        return {name: customers.read_customer(realm, entity_id).data}
    return {name: items.read_item(realm, entity_id).data}
