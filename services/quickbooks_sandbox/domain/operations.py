"""Entity operations behind `POST /v3/company/{realm}/{entity}` and batch items."""

from __future__ import annotations

from . import customers, errors, invoices, items
from .errors import JsonDict, QboFault
from .realm import Realm

OPERATIONS = ("create", "update", "delete", "void")


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
    if name == "Invoice":
        if op == "create":
            return {name: invoices.create_invoice(realm, body, now).data}
        if op == "update":
            return {name: invoices.update_invoice(realm, body, now).data}
        if op == "void":
            return {name: invoices.void_invoice(realm, body, now).data}
        return {name: invoices.delete_invoice(realm, body, now)}
    if name == "Customer":
        if op == "create":
            return {name: customers.create_customer(realm, body, now).data}
        if op == "update":
            return {name: customers.update_customer(realm, body, now).data}
    if name == "Item":
        if op == "create":
            return {name: items.api_create_item(realm, body, now).data}
        if op == "update":
            return {name: items.api_update_item(realm, body, now).data}
    raise errors.unsupported_operation(op, name)


def execute_read(realm: Realm, entity: str, entity_id: str) -> JsonDict:
    name = _canonical_entity(entity)
    if name == "Invoice":
        return {name: invoices.live_invoice(realm, entity_id).data}
    if name == "Customer":
        return {name: customers.read_customer(realm, entity_id).data}
    return {name: items.read_item(realm, entity_id).data}
