"""Request bodies for domain tests."""

from __future__ import annotations

from typing import Any

from services.quickbooks_sandbox.domain.realm import Realm


def item_id(realm: Realm, name: str) -> str:
    return realm.item_names[name.casefold()]


def customer_id(realm: Realm, name: str) -> str:
    return realm.customer_names[name.casefold()]


def invoice_body(realm: Realm, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "CustomerRef": {"value": customer_id(realm, "Acme Media")},
        "Line": [sales_line(realm, qty=2, price=100.0)],
    }
    body.update(overrides)
    return body


def sales_line(
    realm: Realm,
    qty: float = 1,
    price: float = 100.0,
    amount: float | None = None,
    item: str = "Display Ad",
) -> dict[str, Any]:
    return {
        "Amount": qty * price if amount is None else amount,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {
            "ItemRef": {"value": item_id(realm, item)},
            "Qty": qty,
            "UnitPrice": price,
        },
    }
