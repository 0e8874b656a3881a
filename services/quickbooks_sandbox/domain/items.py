"""Items (products and services) the invoices refer to; managed through the admin API."""

from __future__ import annotations

from typing import Any

from . import errors
from .entities import Record
from .errors import JsonDict
from .money import as_number, to_decimal
from .realm import Realm

MAX_NAME = 100
INCOME_ACCOUNT: JsonDict = {"value": "79", "name": "Sales of Product Income"}


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise errors.required_param("Name")
    if len(value) > MAX_NAME:
        raise errors.string_too_long("Name", MAX_NAME, len(value))
    return value.strip()


def _price(value: Any) -> float | int:
    price = to_decimal(value)
    if price is None:
        raise errors.invalid_value("UnitPrice", f"Invalid number: {value!r}")
    return as_number(price)


def create_item(realm: Realm, spec: JsonDict, now: float) -> Record:
    """`spec` uses admin keys: name, unit_price, type, description, active."""
    name = _name(spec.get("name"))
    if realm.item_names.get(name.casefold()) is not None:
        raise errors.duplicate_name(name)
    data: JsonDict = {
        "Name": name,
        "FullyQualifiedName": name,
        "Active": bool(spec.get("active", True)),
        "Type": str(spec.get("type", "Service")),
        "UnitPrice": _price(spec.get("unit_price", 0)),
        "Taxable": False,
        "TrackQtyOnHand": False,
        "IncomeAccountRef": dict(INCOME_ACCOUNT),
    }
    if spec.get("description") is not None:
        data["Description"] = str(spec["description"])
    record = realm.insert("Item", data, now)
    realm.item_names[name.casefold()] = record.id
    realm.emit("Item", record, "Create", now)
    return record


def read_item(realm: Realm, item_id: Any) -> Record:
    return realm.items.existing(item_id)


def update_item(realm: Realm, item_id: str, spec: JsonDict, now: float) -> Record:
    record = read_item(realm, item_id)
    data = dict(record.data)
    if "name" in spec:
        name = _name(spec["name"])
        owner = realm.item_names.get(name.casefold())
        if owner is not None and owner != record.id:
            raise errors.duplicate_name(name)
        realm.item_names.pop(str(data["Name"]).casefold(), None)
        realm.item_names[name.casefold()] = record.id
        data["Name"] = data["FullyQualifiedName"] = name
    if "unit_price" in spec:
        data["UnitPrice"] = _price(spec["unit_price"])
    if "active" in spec:
        data["Active"] = bool(spec["active"])
    if "type" in spec:
        data["Type"] = str(spec["type"])
    if "description" in spec:
        data["Description"] = spec["description"]
    record.next_version({k: v for k, v in data.items() if v is not None}, realm.timestamp(now), now)
    realm.emit("Item", record, "Update", now)
    return record


def _spec_from_api(body: JsonDict) -> JsonDict:
    """QBO Item body -> admin spec. Empty strings are unset (python-quickbooks sends them)."""
    spec: JsonDict = {}
    for api_key, key in API_KEYS.items():
        value = body.get(api_key)
        if value is not None and value != "":
            spec[key] = value
    return spec


API_KEYS = {
    "Name": "name",
    "UnitPrice": "unit_price",
    "Type": "type",
    "Description": "description",
    "Active": "active",
}


def api_create_item(realm: Realm, body: JsonDict, now: float) -> Record:
    """`POST /item`: Name required (2020), unique (6240); no chart of accounts is checked."""
    record = create_item(realm, _spec_from_api(body), now)
    if body.get("Sku"):
        record.data["Sku"] = str(body["Sku"])
    return record


def api_update_item(realm: Realm, body: JsonDict, now: float) -> Record:
    record = realm.items.current(body)
    return update_item(realm, record.id, _spec_from_api(body), now)
