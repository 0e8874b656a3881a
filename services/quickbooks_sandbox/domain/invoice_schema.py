"""What QBO's Invoice deserializer accepts, before any business rule runs.

- A property that is not in Intuit's Invoice / Line / SalesItemLineDetail schema is refused
  with 2010 "Unrecognized field ... not marked as ignorable" (QBO's JSON binding is strict;
  python-quickbooks issue #38 shows the message for a PurchaseOrder line).
- A property that IS in the schema but that the sandbox does not model (tax, addresses,
  links, custom fields, ...) is accepted and stored as sent.
- Optional dates sent as "" (python-quickbooks serializes unset dates that way) are absent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from . import errors
from .errors import JsonDict

# Intuit's Invoice entity (SalesTransaction + Invoice properties, read-only ones included).
INVOICE_PROPERTIES = frozenset(
    {
        "Id", "SyncToken", "MetaData", "domain", "sparse", "status", "time",
        "CustomField", "DocNumber", "TxnDate", "DepartmentRef", "CurrencyRef", "ExchangeRate",
        "PrivateNote", "TxnStatus", "LinkedTxn", "Line", "TxnTaxDetail", "CustomerRef",
        "CustomerMemo", "BillAddr", "ShipAddr", "FreeFormAddress", "ShipFromAddr",
        "RemitToRef", "ClassRef", "SalesTermRef", "DueDate", "GlobalTaxCalculation",
        "ShipMethodRef", "ShipDate", "TrackingNum", "TotalAmt", "HomeTotalAmt",
        "PrintStatus", "EmailStatus", "BillEmail", "BillEmailCc", "BillEmailBcc",
        "ARAccountRef", "Balance", "HomeBalance", "ApplyTaxAfterDiscount",
        "DepositToAccountRef", "Deposit", "AllowIPNPayment", "AllowOnlinePayment",
        "AllowOnlineCreditCardPayment", "AllowOnlineACHPayment", "DeliveryInfo",
        "InvoiceLink", "TransactionLocationType", "TaxExemptionRef", "ProjectRef",
        "RecurDataRef", "TxnSource", "AttachableRef", "InvoiceEx", "EInvoiceStatus",
        "ECloudStatusTimeStamp", "TemplateRef", "TxnApprovalInfo", "SourceRef",
    }
)  # fmt: skip
LINE_PROPERTIES = frozenset(
    {
        "Id", "LineNum", "Description", "Amount", "LinkedTxn", "DetailType", "CustomField",
        "LineEx", "ProjectRef", "Received", "TaxLineDetail",
    }
)  # fmt: skip
SALES_DETAIL_PROPERTIES = frozenset(
    {
        "ItemRef", "ClassRef", "UnitPrice", "RatePercent", "PriceLevelRef", "MarkupInfo",
        "Qty", "UOMRef", "ItemAccountRef", "InventorySiteRef", "TaxCodeRef",
        "TaxClassificationRef", "ServiceDate", "TaxInclusiveAmt", "DiscountRate",
        "DiscountAmt", "SalesItemLineDetailEx",
    }
)  # fmt: skip
DATE_FIELDS = ("TxnDate", "DueDate", "ShipDate")


def _check_known(properties: dict[str, Any], known: frozenset[str], schema_class: str) -> None:
    for name in properties:
        # Every `...LineDetail` block of a Line is a schema property (one per DetailType).
        if schema_class == "Line" and name.endswith("Detail"):
            continue
        if name not in known:
            raise errors.unrecognized_field(name, schema_class)


def check_date(value: Any, element: str) -> None:
    try:
        date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise errors.invalid_value(element, f"Invalid date {value!r}; expected YYYY-MM-DD") from exc


def _normal_detail(detail: JsonDict) -> JsonDict:
    _check_known(detail, SALES_DETAIL_PROPERTIES, "SalesItemLineDetail")
    out = dict(detail)
    if out.get("ServiceDate") in ("", None):
        out.pop("ServiceDate", None)
    else:
        check_date(out["ServiceDate"], "Line.SalesItemLineDetail.ServiceDate")
    return out


def _normal_line(line: Any) -> Any:
    if not isinstance(line, dict):
        return line
    _check_known(line, LINE_PROPERTIES, "Line")
    detail = line.get("SalesItemLineDetail")
    if isinstance(detail, dict):
        return {**line, "SalesItemLineDetail": _normal_detail(detail)}
    return line


def normalize_invoice(body: JsonDict) -> JsonDict:
    """Refuse unknown properties; drop empty optional dates; check ShipDate's format."""
    _check_known(body, INVOICE_PROPERTIES, "Invoice")
    out = {k: v for k, v in body.items() if not (k in DATE_FIELDS and v == "")}
    if out.get("ShipDate") is not None:
        check_date(out["ShipDate"], "ShipDate")
    if isinstance(out.get("Line"), list):
        out["Line"] = [_normal_line(line) for line in out["Line"]]
    return out
