"""QBO response bodies: JSON with a top-level `time`, the XML throttle fault, gateway errors."""

from __future__ import annotations

from xml.sax.saxutils import escape

from fastapi.responses import JSONResponse, Response

from ..domain.clock import qbo_timestamp
from ..domain.errors import JsonDict, QboFault, throttled

DEFAULT_OFFSET = -420


def stamp(now: float, offset: int = DEFAULT_OFFSET) -> str:
    return qbo_timestamp(now, offset, millis=True)


def timed(body: JsonDict, now: float, offset: int) -> JsonDict:
    return {**body, "time": stamp(now, offset)}


def qbo_json(body: JsonDict, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def fault_response(fault: QboFault, now: float, offset: int = DEFAULT_OFFSET) -> JSONResponse:
    return qbo_json(timed(fault.fault_body(), now, offset), fault.http_status)


def throttle_xml_body(
    now: float, offset: int = DEFAULT_OFFSET, fault: QboFault | None = None
) -> str:
    fault = fault or throttled()
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{stamp(now, offset)}">'
        f'<Fault type="{fault.fault_type}"><Error code="{fault.code}">'
        f"<Message>{escape(fault.message)}</Message><Detail>{escape(fault.detail)}</Detail>"
        "</Error></Fault></IntuitResponse>"
    )


def throttle_response(
    as_xml: bool, now: float, offset: int = DEFAULT_OFFSET, fault: QboFault | None = None
) -> Response:
    fault = fault or throttled()
    if as_xml:
        return Response(
            throttle_xml_body(now, offset, fault), status_code=429, media_type="application/xml"
        )
    return fault_response(fault, now, offset)


def gateway_error(status: int) -> Response:
    """502/503/504 come from Intuit's edge as HTML, not as a QBO fault."""
    titles = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
    title = titles.get(status, "Error")
    html = f"<html><head><title>{status} {title}</title></head><body><h1>{title}</h1></body></html>"
    return Response(html, status_code=status, media_type="text/html")
