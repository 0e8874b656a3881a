"""Invoice line validation and normalisation (SalesItemLineDetail, DescriptionOnly)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import errors
from .entities import ref_value
from .errors import JsonDict, QboFault
from .money import as_number, round_money, to_decimal
from .realm import Realm

MAX_DESCRIPTION = 4000
ITEM_REF = "Line.SalesItemLineDetail.ItemRef"


def _amount(line: JsonDict) -> Decimal:
    if "Amount" not in line or line["Amount"] is None:
        raise errors.required_param("Line.Amount")
    amount = to_decimal(line["Amount"])
    if amount is None:
        raise errors.invalid_value("Line.Amount", f"Invalid number: {line['Amount']!r}")
    return amount


def _optional_number(detail: JsonDict, key: str) -> Decimal | None:
    if detail.get(key) is None:
        return None
    value = to_decimal(detail[key])
    if value is None:
        raise errors.invalid_value(f"Line.SalesItemLineDetail.{key}", f"Invalid number for {key}")
    return value


def _active_item(realm: Realm, detail: JsonDict) -> JsonDict:
    if "ItemRef" not in detail:
        raise errors.required_param(ITEM_REF)
    item_id = ref_value(detail["ItemRef"])
    if item_id is None:
        raise errors.required_param(ITEM_REF)
    record = realm.items.get(item_id)
    if record is None or record.deleted or not record.data.get("Active", True):
        raise errors.invalid_reference(ITEM_REF, "Item", item_id)
    return record.data


def _sales_line(realm: Realm, line: JsonDict, amount: Decimal) -> JsonDict:
    detail = line.get("SalesItemLineDetail")
    if not isinstance(detail, dict):
        raise errors.required_param("Line.SalesItemLineDetail")
    item = _active_item(realm, detail)
    qty = _optional_number(detail, "Qty")
    price = _optional_number(detail, "UnitPrice")
    if qty == 0 and price == 0 and amount != 0:
        # Clients serialize unset numbers as 0 (python-quickbooks: Qty 0, UnitPrice 0 beside
        # the Amount); QBO takes the Amount and does not answer 6070.
        qty = price = None
    if qty is not None and price is not None:
        if round_money(qty * price) != round_money(amount):
            raise errors.amount_mismatch(str(line["Amount"]))
    elif qty is not None and qty != 0:
        price = amount / qty
    elif price is not None and price != 0:
        qty = amount / price
    out: JsonDict = {k: v for k, v in detail.items() if k not in ("ItemRef", "Qty", "UnitPrice")}
    out["ItemRef"] = {"value": item["Id"], "name": item["Name"]}
    if qty is not None:
        out["Qty"] = as_number(qty)
    if price is not None:
        out["UnitPrice"] = as_number(price)
    return out


def build_lines(realm: Realm, lines: Any) -> tuple[list[JsonDict], Decimal]:
    """Validate input lines; return stored lines (with a trailing subtotal line) and total.

    Subtotal lines sent by the client are ignored: QBO recomputes them.
    """
    if not isinstance(lines, list):
        raise errors.required_param("Line")
    inputs = [
        ln
        for ln in lines
        if not (isinstance(ln, dict) and ln.get("DetailType") == "SubTotalLineDetail")
    ]
    if not inputs:
        raise errors.required_param("Line")
    built: list[JsonDict] = []
    total = Decimal(0)
    for number, line in enumerate(inputs, start=1):
        if not isinstance(line, dict):
            raise errors.invalid_value("Line", "Each line must be an object")
        built.append(_build_line(realm, line, number))
        total += to_decimal(built[-1]["Amount"]) or Decimal(0)
    built.append(
        {
            "Amount": as_number(round_money(total)),
            "DetailType": "SubTotalLineDetail",
            "SubTotalLineDetail": {},
        }
    )
    return built, round_money(total)


def _build_line(realm: Realm, line: JsonDict, number: int) -> JsonDict:
    detail_type = line.get("DetailType")
    description = line.get("Description")
    if isinstance(description, str) and len(description) > MAX_DESCRIPTION:
        raise errors.string_too_long("Line.Description", MAX_DESCRIPTION, len(description))
    out: JsonDict = {"Id": str(number), "LineNum": number}
    if description is not None:
        out["Description"] = description
    if detail_type == "SalesItemLineDetail":
        amount = _amount(line)
        out["Amount"] = as_number(round_money(amount))
        out["DetailType"] = detail_type
        out["SalesItemLineDetail"] = _sales_line(realm, line, amount)
    elif detail_type == "DescriptionOnly":
        out["Amount"] = 0.0
        out["DetailType"] = detail_type
        out["DescriptionLineDetail"] = line.get("DescriptionLineDetail", {})
    elif detail_type is None:
        raise errors.required_param("Line.DetailType")
    else:
        raise QboFault(
            "2010",
            "Request has invalid or unsupported property",
            f"Property Name:DetailType={detail_type} is not supported by this sandbox",
            "Line.DetailType",
        )
    return out


def void_lines(lines: list[JsonDict]) -> list[JsonDict]:
    voided = []
    for line in lines:
        copy = dict(line)
        copy["Amount"] = 0.0
        detail = copy.get("SalesItemLineDetail")
        if isinstance(detail, dict):
            copy["SalesItemLineDetail"] = {**detail, "Qty": 0}
        voided.append(copy)
    return voided
