"""QBO faults as exceptions; each knows its HTTP status, fault type and error fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JsonDict = dict[str, Any]


@dataclass
class QboFault(Exception):
    code: str
    message: str
    detail: str
    element: str = ""
    http_status: int = 400
    fault_type: str = "ValidationFault"

    def error_entry(self) -> JsonDict:
        entry: JsonDict = {"Message": self.message, "Detail": self.detail, "code": self.code}
        if self.element:
            entry["element"] = self.element
        return entry

    def fault_body(self) -> JsonDict:
        """The `Fault` object without the top-level `time` (added by the HTTP layer)."""
        return {"Fault": {"Error": [self.error_entry()], "type": self.fault_type}}


def stale_object(entity_id: str, sent: str, current: str) -> QboFault:
    return QboFault(
        "5010",
        "Stale Object Error",
        f"Stale Object Error : You and another user were working on the same thing. "
        f"Please try again. Object Id={entity_id}, SyncToken sent={sent}, current={current}",
    )


def required_param(element: str) -> QboFault:
    return QboFault(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {element} is missing in the request",
        element,
    )


def invalid_reference(element: str, ref_kind: str, ref_id: str) -> QboFault:
    return QboFault(
        "2500",
        "Invalid Reference Id",
        f"Invalid Reference Id : {ref_kind} assigned to this transaction has been deleted "
        f"or made inactive, or does not exist. Id={ref_id}",
        element,
    )


def object_not_found(entity: str, entity_id: str) -> QboFault:
    return QboFault(
        "610",
        "Object Not Found",
        "Object Not Found : Something you're trying to use has been made inactive. Check the "
        f"fields with accounts, customers, items, vendors or employees. {entity} Id={entity_id}",
    )


def duplicate_doc_number(doc_number: str, txn_id: str) -> QboFault:
    return QboFault(
        "6140",
        "Duplicate Document Number Error",
        f"DocNumber={doc_number} is assigned to TxnType=Invoice with TxnId={txn_id}",
    )


def duplicate_name(name: str) -> QboFault:
    return QboFault(
        "6240",
        "Duplicate Name Exists Error",
        "The name supplied already exists. : Another customer, vendor or employee is already "
        f"using this name. Please use a different name. Name={name}",
    )


def amount_mismatch(supplied: str) -> QboFault:
    return QboFault(
        "6070",
        "Amount is not equal to UnitPrice * Qty",
        f"Amount is not equal to UnitPrice * Qty. Supplied value:{supplied}",
        "Line.Amount",
    )


def string_too_long(element: str, max_len: int, supplied: int) -> QboFault:
    return QboFault(
        "2050",
        "String length is either shorter or longer than supported by specification",
        "String length specified does not match the supported length. "
        f"Min:0 Max:{max_len} supplied length:{supplied}",
        element,
    )


def batch_too_large(size: int, limit: int) -> QboFault:
    return QboFault(
        "1040",
        "Number of items in batch request exceeded the allowed limit",
        f"Batch size of {size} exceeds the maximum of {limit} items",
    )


def business_validation(detail: str, element: str = "") -> QboFault:
    return QboFault(
        "6000",
        "A business validation error has occurred while processing your request",
        f"Business Validation Error: {detail}",
        element,
    )


def invalid_value(element: str, detail: str) -> QboFault:
    return QboFault("2010", "Request has invalid or unsupported property", detail, element)


def unsupported_operation(operation: str, entity: str) -> QboFault:
    return QboFault(
        "2010",
        "Operation not supported",
        f"Operation {operation} on {entity} is not supported by this sandbox",
    )


def query_parse_error(detail: str) -> QboFault:
    return QboFault("4000", "Error parsing query", f"QueryParserError: {detail}")


def query_validation_error(detail: str) -> QboFault:
    return QboFault("4001", "Invalid query", f"QueryValidationError: {detail}")


def _refusal(code: int, name: str, http_status: int, fault_type: str, detail: str) -> QboFault:
    """A refusal that is not about the request's content (authentication, authorization,
    throttling): QBO packs its name, code and HTTP status into the message."""
    message = f"message={name}; errorCode={code:06d}; statusCode={http_status}"
    return QboFault(str(code), message, detail, http_status=http_status, fault_type=fault_type)


def authentication_failed(detail: str) -> QboFault:
    return _refusal(3200, "AuthenticationFailed", 401, "AUTHENTICATION", detail)


def authorization_failed(detail: str) -> QboFault:
    return _refusal(3100, "ApplicationAuthorizationFailed", 403, "AUTHORIZATION", detail)


WINDOW_TEXT = {
    "second": "{limit} requests per second",
    "minute": "{limit} API calls per minute (each batch item is a call)",
    "batch-minute": "{limit} batch requests per minute",
}


def throttled(window: str | None = None, limit: int = 0, retry_after: float = 0.0) -> QboFault:
    """Without a window (an injected throttle) the detail names no wait it cannot know."""
    if window is None:
        detail = "The request limit was reached."
    else:
        what = WINDOW_TEXT[window].format(limit=limit)
        detail = (
            f"The request limit was reached: at most {what} for this company. "
            f"Capacity frees up in {max(retry_after, 0.001):.3f} seconds."
        )
    return _refusal(3001, "ThrottleExceeded", 429, "SERVICE", detail)


def system_fault(status: int) -> QboFault:
    return QboFault(
        "10000",
        "An application error has occurred while processing your request",
        "System Failure Error: An unexpected error occurred while accessing or saving your data.",
        http_status=status,
        fault_type="SystemFault",
    )


def unrecognized_field(name: str, schema_class: str) -> QboFault:
    """QBO's JSON binding refuses a property its schema does not have."""
    return QboFault(
        "2010",
        "Request has invalid or unsupported property",
        f'Property Name:Unrecognized field "{name}" (class com.intuit.schema.finance.v3.'
        f"{schema_class}), not marked as ignorable specified is unsupported or invalid",
        name,
    )
