"""Customer rules: unique DisplayName (6240), create, update, activation."""

from __future__ import annotations

from typing import Any

from . import errors
from .entities import Record
from .errors import JsonDict
from .realm import Realm

MAX_DISPLAY_NAME = 500
NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
READ_ONLY = frozenset(
    {
        "Id",
        "SyncToken",
        "MetaData",
        "Balance",
        "BalanceWithJobs",
        "domain",
        "sparse",
        "FullyQualifiedName",
        "time",
    }
)
DELETED_SUFFIX = " (deleted)"


def _display_name(fields: JsonDict) -> str:
    name = fields.get("DisplayName")
    if name is None:
        parts = [str(fields[p]) for p in NAME_PARTS if fields.get(p)]
        name = " ".join(parts)
    if not isinstance(name, str) or not name.strip():
        raise errors.required_param("DisplayName")
    if len(name) > MAX_DISPLAY_NAME:
        raise errors.string_too_long("DisplayName", MAX_DISPLAY_NAME, len(name))
    return name.strip()


def _claim_name(realm: Realm, name: str, customer_id: str | None) -> None:
    owner = realm.customer_names.get(name.casefold())
    if owner is not None and owner != customer_id:
        raise errors.duplicate_name(name)


def _rename(realm: Realm, old: str | None, new: str, customer_id: str) -> None:
    if old is not None and realm.customer_names.get(old.casefold()) == customer_id:
        del realm.customer_names[old.casefold()]
    realm.customer_names[new.casefold()] = customer_id


def create_customer(realm: Realm, body: JsonDict, now: float) -> Record:
    fields = {k: v for k, v in body.items() if k not in READ_ONLY}
    name = _display_name(fields)
    _claim_name(realm, name, None)
    data: JsonDict = {
        "Active": True,
        "Job": False,
        "BillWithParent": False,
        "Balance": 0.0,
        "BalanceWithJobs": 0.0,
        "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
        "PreferredDeliveryMethod": "Print",
        **fields,
        "DisplayName": name,
        "FullyQualifiedName": name,
    }
    record = realm.insert("Customer", data, now)
    _rename(realm, None, name, record.id)
    realm.emit("Customer", record, "Create", now)
    return record


def read_customer(realm: Realm, customer_id: Any) -> Record:
    return realm.customers.existing(customer_id)


def _apply(realm: Realm, record: Record, fields: JsonDict, now: float) -> Record:
    data = {**record.data, **{k: v for k, v in fields.items() if k not in READ_ONLY}}
    if not data.get("Active", True):
        # QBO frees the name of an inactive customer by marking it "(deleted)".
        base = data.get("DisplayName", record.data["DisplayName"])
        if not str(base).endswith(DELETED_SUFFIX):
            data["DisplayName"] = f"{base}{DELETED_SUFFIX}"
    name = _display_name(data)
    _claim_name(realm, name, record.id)
    _rename(realm, record.data["DisplayName"], name, record.id)
    data["DisplayName"] = data["FullyQualifiedName"] = name
    record.next_version({k: v for k, v in data.items() if v is not None}, realm.timestamp(now), now)
    realm.emit("Customer", record, "Update", now)
    return record


def update_customer(realm: Realm, body: JsonDict, now: float) -> Record:
    """QBO API update; a full update keeps unsent fields here (customer fields are simple)."""
    return _apply(realm, realm.customers.current(body), body, now)


def admin_update_customer(realm: Realm, customer_id: str, changes: JsonDict, now: float) -> Record:
    return _apply(realm, read_customer(realm, customer_id), changes, now)
