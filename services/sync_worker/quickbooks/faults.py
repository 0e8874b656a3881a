"""Parse QuickBooks fault bodies (JSON, or XML for throttles) and map them to stable errors."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from services.contract.errors import ERROR_CATALOG, ErrorCode

from .errors import (
    QuickBooksAuthError,
    QuickBooksDuplicateNameError,
    QuickBooksError,
    QuickBooksStaleObjectError,
)

THROTTLE = "3001"
AUTH_FAILED = "3200"
STALE_OBJECT = "5010"
DUPLICATE_NAME = "6240"
_MAX_TEXT = 1000

_XML_ERROR = re.compile(
    r"<(?:\w+:)?Error\b([^>]*)>(.*?)</(?:\w+:)?Error>", re.DOTALL | re.IGNORECASE
)
_XML_ATTR_CODE = re.compile(r'\bcode\s*=\s*"([^"]*)"', re.IGNORECASE)
_XML_FAULT_TYPE = re.compile(r'<(?:\w+:)?Fault\b[^>]*\btype\s*=\s*"([^"]*)"', re.IGNORECASE)
_EMBEDDED_CODE = re.compile(r"errorCode=0*(\d+)")


def _xml_child(body: str, tag: str) -> str:
    match = re.search(rf"<(?:\w+:)?{tag}>(.*?)</(?:\w+:)?{tag}>", body, re.DOTALL | re.IGNORECASE)
    return match.group(1).strip() if match else ""


@dataclass(frozen=True, slots=True)
class FaultError:
    code: str | None
    message: str
    detail: str
    element: str | None


@dataclass(frozen=True, slots=True)
class Fault:
    http_status: int
    type: str | None
    errors: tuple[FaultError, ...]
    intuit_tid: str | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.errors if e.code)

    @property
    def primary(self) -> FaultError | None:
        return self.errors[0] if self.errors else None

    @property
    def is_throttle(self) -> bool:
        # 403 + 3001 is how QuickBooks throttled before it started sending 429.
        return self.http_status == 429 or THROTTLE in self.codes

    @property
    def is_auth_expired(self) -> bool:
        return not self.is_throttle and (self.http_status == 401 or AUTH_FAILED in self.codes)

    @property
    def is_server_error(self) -> bool:
        return self.http_status >= 500 and not self.is_throttle

    @property
    def is_transient(self) -> bool:
        return self.is_throttle or self.is_server_error


def _lower_keys(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k).lower(): v for k, v in obj.items()}
    return obj


def _text(value: Any) -> str:
    return "" if value is None else str(value)[:_MAX_TEXT]


def _code_of(raw_code: Any, message: str) -> str | None:
    code = _text(raw_code).strip().lstrip("0") or None
    if code is None:
        embedded = _EMBEDDED_CODE.search(message)
        code = embedded.group(1) if embedded else None
    return code


def _parse_json(data: Any) -> tuple[str | None, list[FaultError]]:
    top = _lower_keys(data)
    if not isinstance(top, dict):
        return None, []
    fault = _lower_keys(top.get("fault"))
    if not isinstance(fault, dict):
        # The OAuth server answers {"error": "invalid_grant", ...}.
        if "error" in top and isinstance(top["error"], str):
            description = _text(top.get("error_description"))
            return "OAUTH", [FaultError(None, top["error"], description, None)]
        return None, []
    errors: list[FaultError] = []
    for item in fault.get("error") or []:
        err = _lower_keys(item)
        if not isinstance(err, dict):
            continue
        message = _text(err.get("message"))
        errors.append(
            FaultError(
                code=_code_of(err.get("code"), message),
                message=message,
                detail=_text(err.get("detail")),
                element=_text(err.get("element")) or None,
            )
        )
    return _text(fault.get("type")) or None, errors


def _parse_xml(body: str) -> tuple[str | None, list[FaultError]]:
    errors: list[FaultError] = []
    for attrs, inner in _XML_ERROR.findall(body):
        code_match = _XML_ATTR_CODE.search(attrs)
        message = _text(_xml_child(inner, "Message"))
        element_match = re.search(r'\belement\s*=\s*"([^"]*)"', attrs, re.IGNORECASE)
        errors.append(
            FaultError(
                code=_code_of(code_match.group(1) if code_match else None, message),
                message=message,
                detail=_text(_xml_child(inner, "Detail")),
                element=element_match.group(1) if element_match else None,
            )
        )
    fault_type = _XML_FAULT_TYPE.search(body)
    return (fault_type.group(1) if fault_type else None), errors


def parse_fault(http_status: int, body: bytes, intuit_tid: str | None = None) -> Fault:
    """Read whatever QuickBooks sent with an error status; never raises."""
    text = body.decode("utf-8", errors="replace").strip()
    fault_type: str | None = None
    errors: list[FaultError] = []
    if text.startswith("<"):
        fault_type, errors = _parse_xml(text)
    elif text:
        try:
            fault_type, errors = _parse_json(json.loads(text))
        except ValueError:
            errors = []
    if not errors and text:
        # Unknown body (an HTML error page from a proxy, say): keep a short excerpt.
        message = _text(text[:200])
        errors = [FaultError(_code_of(None, message), message, "", None)]
    return Fault(http_status, fault_type, tuple(errors), intuit_tid)


def parse_item_fault(item: Any) -> Fault:
    """A `/batch` item's `{"Fault": ...}`, as the same fault of a single call would be: a
    validation fault is HTTP 400 (nothing created); anything else counts as a server error."""
    fault_type, errors = _parse_json(item)
    status = 400 if (fault_type or "").lower() == "validationfault" else 500
    return Fault(status, fault_type, tuple(errors))


def _describe(fault: Fault) -> str:
    primary = fault.primary
    if primary is None:
        return f"HTTP {fault.http_status} with no fault details"
    parts = [p for p in (primary.message, primary.detail) if p]
    text = "; ".join(parts) if parts else f"HTTP {fault.http_status}"
    return f"fault {primary.code}: {text}" if primary.code else text


def _details(fault: Fault, operation: str) -> dict[str, Any]:
    details: dict[str, Any] = {
        "operation": operation,
        "errors": [asdict(e) for e in fault.errors],
    }
    if fault.type:
        details["fault_type"] = fault.type
    if fault.primary and fault.primary.element:
        details["element"] = fault.primary.element
    if fault.intuit_tid:
        details["intuit_tid"] = fault.intuit_tid
    return details


_CODE_BY_FAULT: dict[str, ErrorCode] = {
    "2500": ErrorCode.QBO_INVALID_REFERENCE,
    "610": ErrorCode.QBO_NOT_FOUND,
    "6140": ErrorCode.QBO_DUPLICATE_NUMBER,
    STALE_OBJECT: ErrorCode.QBO_CONFLICT,
}


def _stable_code(fault: Fault) -> tuple[ErrorCode, str | None]:
    for fault_code in fault.codes:
        if fault_code in _CODE_BY_FAULT:
            return _CODE_BY_FAULT[fault_code], fault_code
    return ErrorCode.QBO_VALIDATION, (fault.codes[0] if fault.codes else None)


def fault_to_error(fault: Fault, operation: str) -> QuickBooksError:
    """Final error for a fault the client does not (or no longer) retry."""
    details = _details(fault, operation)
    what = _describe(fault)
    refused = _not_about_the_request(fault, operation, what, details)
    return refused or _rejection(fault, operation, what, details)


def _first_code(fault: Fault) -> str | None:
    return fault.codes[0] if fault.codes else None


def _not_about_the_request(
    fault: Fault, operation: str, what: str, details: dict[str, Any]
) -> QuickBooksError | None:
    """Throttling, a server error or refused credentials; None for a rejected request."""
    status = fault.http_status
    fault_code: str | None
    if fault.is_throttle:
        code, text, fault_code = (
            ErrorCode.QBO_RATE_LIMITED,
            f"QuickBooks kept throttling {operation}",
            THROTTLE,
        )
    elif fault.is_server_error:
        code, text, fault_code = (
            ErrorCode.QBO_UNAVAILABLE,
            f"QuickBooks failed with a server error on {operation}",
            _first_code(fault),
        )
    elif fault.is_auth_expired or status == 403:
        return QuickBooksAuthError(
            f"QuickBooks refused the credentials on {operation} ({what}). "
            f"{ERROR_CATALOG[ErrorCode.QBO_AUTH].what_to_do}",
            details=details,
            fault_code=_first_code(fault),
            http_status=status,
        )
    else:
        return None
    message = f"{text} ({what}). {ERROR_CATALOG[code].what_to_do}"
    return QuickBooksError(
        code, message, details=details, fault_code=fault_code, http_status=status
    )


def _rejection(fault: Fault, operation: str, what: str, details: dict[str, Any]) -> QuickBooksError:
    """QuickBooks refused what was sent (validation, references, numbers, SyncToken)."""
    status = fault.http_status
    code, fault_code = _stable_code(fault)
    if fault_code == DUPLICATE_NAME or DUPLICATE_NAME in fault.codes:
        return QuickBooksDuplicateNameError(
            ErrorCode.QBO_VALIDATION,
            f"QuickBooks already has a customer, vendor or employee with this name ({what}). "
            "Use the existing customer or choose another display name.",
            details=details,
            fault_code=DUPLICATE_NAME,
            http_status=status,
        )
    message = _rejection_message(code, fault, operation, what)
    if code is ErrorCode.QBO_CONFLICT:
        return QuickBooksStaleObjectError(
            code, message, details=details, fault_code=fault_code, http_status=status
        )
    return QuickBooksError(
        code, message, details=details, fault_code=fault_code, http_status=status
    )


def _rejection_message(code: ErrorCode, fault: Fault, operation: str, what: str) -> str:
    to_do = ERROR_CATALOG[code].what_to_do
    if code is ErrorCode.QBO_CONFLICT:
        return f"The object was changed in QuickBooks after it was read ({what}). {to_do}"
    if code is ErrorCode.QBO_DUPLICATE_NUMBER:
        return f"QuickBooks already has a different invoice with this number ({what}). {to_do}"
    if code is ErrorCode.QBO_INVALID_REFERENCE:
        element = f" in {fault.primary.element}" if fault.primary and fault.primary.element else ""
        return (
            f"QuickBooks says a referenced item or customer{element} is missing or inactive "
            f"({what}). {to_do}"
        )
    if code is ErrorCode.QBO_NOT_FOUND:
        return f"QuickBooks could not find the object for {operation} ({what}). {to_do}"
    return f"QuickBooks rejected {operation} ({what}). {to_do}"
