"""`/batch`: independent items (entity operations or queries), each failing on its own."""

from __future__ import annotations

from typing import Any

from . import errors
from .errors import JsonDict, QboFault
from .operations import execute_post
from .query import run_query
from .realm import Realm

ENTITY_KEYS = ("Invoice", "Customer", "Item")


def batch_items(body: Any) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get("BatchItemRequest"), list):
        raise errors.required_param("BatchItemRequest")
    items: list[Any] = body["BatchItemRequest"]
    return items


def call_count(body: Any) -> int:
    """How many API calls a batch costs against the throttle: one per item."""
    try:
        return max(1, len(batch_items(body)))
    except QboFault:
        return 1


def _run_item(realm: Realm, item: Any, now: float) -> JsonDict:
    if not isinstance(item, dict):
        raise errors.invalid_value("BatchItemRequest", "Each batch item must be an object")
    if "Query" in item:
        return {"QueryResponse": run_query(realm, str(item["Query"]))}
    entity = next((key for key in ENTITY_KEYS if key in item), None)
    if entity is None:
        raise errors.required_param("BatchItemRequest.Invoice")
    operation = item.get("operation")
    if item.get("optionsData") == "void" or operation == "void":
        operation = "void"
    return execute_post(realm, entity, item[entity], operation, now)


def run_batch(realm: Realm, body: Any, now: float) -> JsonDict:
    items = batch_items(body)
    limit = realm.settings.batch_max_items
    if len(items) > limit:
        raise errors.batch_too_large(len(items), limit)
    responses: list[JsonDict] = []
    for item in items:
        batch_id = item.get("bId") if isinstance(item, dict) else None
        try:
            result = _run_item(realm, item, now)
        except QboFault as fault:
            result = fault.fault_body()
        responses.append({"bId": batch_id, **result})
    return {"BatchItemResponse": responses}
