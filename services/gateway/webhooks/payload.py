"""Both notification forms QuickBooks sends, reduced to (realm, changed entities) (pure).

Legacy: `{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [...]}}]}`.
CloudEvents: a JSON array of `{"type": "qbo.invoice.updated.v1", "intuitaccountid",
"intuitentityid", "time", ...}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from services.contract.parsing import MAX_NESTING, nesting_depth
from services.contract.webhooks import ChangedEntity

_ENTITY_NAMES = {
    "invoice": "Invoice",
    "customer": "Customer",
    "item": "Item",
    "payment": "Payment",
    "creditmemo": "CreditMemo",
    "salesreceipt": "SalesReceipt",
    "estimate": "Estimate",
    "account": "Account",
}
_OPERATIONS = {
    "created": "Create",
    "updated": "Update",
    "deleted": "Delete",
    "merged": "Merge",
    "voided": "Void",
    "emailed": "Emailed",
}


class PayloadError(ValueError):
    """The body is not a QuickBooks notification at all."""


@dataclass(frozen=True, slots=True)
class Notification:
    """One realm's changes, with its original JSON (kept for dead letters)."""

    realm_id: str
    raw: bytes
    entities: tuple[ChangedEntity, ...] = ()
    error: str | None = None


def parse_notifications(body: bytes) -> list[Notification]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"not UTF-8: {exc}") from exc
    if nesting_depth(text) > MAX_NESTING:
        raise PayloadError(f"JSON nested deeper than {MAX_NESTING} levels")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(f"not valid JSON: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("eventNotifications"), list):
        return [_legacy(item) for item in data["eventNotifications"]]
    if isinstance(data, list):
        return _cloud_events(data)
    raise PayloadError("neither `eventNotifications` nor a CloudEvents array")


def _dump(item: Any) -> bytes:
    return json.dumps(item, separators=(",", ":")).encode()


def _legacy(item: Any) -> Notification:
    if not isinstance(item, dict):
        return Notification("", _dump(item), error="notification is not an object")
    realm = str(item.get("realmId") or "")
    change = item.get("dataChangeEvent")
    entities = change.get("entities") if isinstance(change, dict) else None
    if not realm or not isinstance(entities, list) or not entities:
        return Notification(realm, _dump(item), error="missing realmId or entities")
    try:
        parsed = tuple(
            ChangedEntity(
                name=str(e["name"]),
                id=str(e["id"]),
                operation=str(e["operation"]),
                last_updated=e.get("lastUpdated"),
            )
            for e in entities
        )
    except (KeyError, TypeError, ValidationError) as exc:
        return Notification(realm, _dump(item), error=f"invalid entity: {exc}")
    return Notification(realm, _dump(item), parsed)


def _cloud_events(items: list[Any]) -> list[Notification]:
    by_realm: dict[str, list[Any]] = {}
    invalid: list[Notification] = []
    for item in items:
        realm = str(item.get("intuitaccountid") or "") if isinstance(item, dict) else ""
        if not realm:
            invalid.append(Notification("", _dump(item), error="missing intuitaccountid"))
            continue
        by_realm.setdefault(realm, []).append(item)
    return [*(_realm_events(realm, group) for realm, group in by_realm.items()), *invalid]


def _realm_events(realm: str, items: list[dict[str, Any]]) -> Notification:
    try:
        entities = tuple(_cloud_entity(item) for item in items)
    except (KeyError, TypeError, ValueError) as exc:
        return Notification(realm, _dump(items), error=f"invalid event: {exc}")
    return Notification(realm, _dump(items), entities)


def _cloud_entity(item: dict[str, Any]) -> ChangedEntity:
    parts = str(item["type"]).split(".")
    if len(parts) < 3 or parts[0] != "qbo":
        raise ValueError(f"unexpected type {item['type']!r}")
    entity, action = parts[1].lower(), parts[2].lower()
    return ChangedEntity(
        name=_ENTITY_NAMES.get(entity, entity.capitalize()),
        id=str(item["intuitentityid"]),
        operation=_OPERATIONS.get(action, action.capitalize()),
        last_updated=item.get("time"),
    )
