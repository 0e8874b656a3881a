from __future__ import annotations

import time
from decimal import Decimal

import httpx
import pytest

from services.contract.errors import ErrorCode
from services.sync_worker.quickbooks.errors import QuickBooksAuthError, QuickBooksError
from services.sync_worker.quickbooks.metrics import RequestMetric
from services.sync_worker.quickbooks.models import Invoice, Line, Ref, SalesItemLineDetail
from tests.unit.quickbooks_client.qbo_client_fakes import (
    REALM,
    THROTTLE_XML,
    Recorder,
    build_client,
    fault,
    invoice_json,
    json_response,
)

OK_INVOICE = json_response(200, {"Invoice": invoice_json(), "time": "2025-01-15T10:00:00Z"})


def _new_invoice() -> Invoice:
    return Invoice(
        customer_ref=Ref(value="59"),
        line=[
            Line(
                amount=Decimal("100.10"),
                sales_item_line_detail=SalesItemLineDetail(
                    item_ref=Ref(value="20"), qty=Decimal(1), unit_price=Decimal("100.10")
                ),
            )
        ],
    )


async def test_create_sends_request_id_auth_and_parses_money() -> None:
    recorder = Recorder([OK_INVOICE])
    client, _, limiter, http = build_client(recorder, minor_version=75)
    async with http:
        created = await client.create_invoice(_new_invoice(), request_id="evt-1")
    request = recorder.requests[0]
    assert request.method == "POST"
    assert request.url.path == f"/v3/company/{REALM}/invoice"
    assert request.url.params["requestid"] == "evt-1"
    assert request.url.params["minorversion"] == "75"
    assert request.headers["Authorization"] == "Bearer access-token-1"
    assert recorder.bodies()[0]["Line"][0]["Amount"] == 100.1
    assert created.id == "130" and created.total_amt == Decimal("100.10")
    assert limiter.acquired == 1


@pytest.mark.parametrize(
    "throttle",
    [
        json_response(429, fault("3001", "message=ThrottleExceeded; errorCode=003001")),
        httpx.Response(429, content=THROTTLE_XML, headers={"Content-Type": "application/xml"}),
        httpx.Response(403, content=THROTTLE_XML, headers={"Content-Type": "application/xml"}),
        json_response(503, {"error": "unavailable"}),
        json_response(500, fault("10000", "An application error has occurred")),
    ],
    ids=["429-json", "429-xml", "403-xml", "503", "500"],
)
async def test_transient_failures_are_retried_with_the_same_request_id(
    throttle: httpx.Response,
) -> None:
    recorder = Recorder([throttle, throttle, OK_INVOICE])
    client, _, limiter, http = build_client(recorder)
    async with http:
        created = await client.create_invoice(_new_invoice(), request_id="evt-2")
    assert created.id == "130"
    assert [r.url.params["requestid"] for r in recorder.requests] == ["evt-2"] * 3
    assert limiter.acquired == 3


async def test_timeouts_are_retried_with_the_same_request_id() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    recorder = Recorder([timeout, OK_INVOICE])
    client, _, _, http = build_client(recorder)
    async with http:
        created = await client.create_invoice(_new_invoice(), request_id="evt-3")
    assert created.id == "130"
    assert [r.url.params["requestid"] for r in recorder.requests] == ["evt-3", "evt-3"]


async def test_permanent_fault_is_not_retried() -> None:
    recorder = Recorder([json_response(400, fault("6070", "Amount calculation incorrect"))])
    client, _, _, http = build_client(recorder)
    async with http:
        with pytest.raises(QuickBooksError) as caught:
            await client.create_invoice(_new_invoice(), request_id="evt-4")
    assert caught.value.code is ErrorCode.QBO_VALIDATION
    assert not caught.value.retryable
    assert caught.value.fault_code == "6070"
    assert len(recorder.requests) == 1


async def test_exhausted_retry_budget_maps_to_retryable_codes() -> None:
    recorder = Recorder([json_response(429, fault("3001"))])
    client, _, _, http = build_client(recorder, retry_total_seconds=0.3)
    started = time.monotonic()
    async with http:
        with pytest.raises(QuickBooksError) as caught:
            await client.get_invoice("130")
    assert caught.value.code is ErrorCode.QBO_RATE_LIMITED and caught.value.retryable
    assert len(recorder.requests) >= 2
    assert time.monotonic() - started < 1.5

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    recorder = Recorder([refuse])
    client, _, _, http = build_client(recorder, retry_total_seconds=0.2)
    async with http:
        with pytest.raises(QuickBooksError) as caught:
            await client.get_invoice("130")
    assert caught.value.code is ErrorCode.QBO_UNAVAILABLE and caught.value.retryable


async def test_throttle_wait_is_capped_by_the_retry_budget() -> None:
    recorder = Recorder([json_response(429, fault("3001")), OK_INVOICE])
    client, _, _, http = build_client(
        recorder, throttle_backoff_seconds=60.0, retry_total_seconds=0.5
    )
    started = time.monotonic()
    async with http:
        await client.get_invoice("130")
    assert 0.3 < time.monotonic() - started < 2.0
    assert len(recorder.requests) == 2


async def test_zero_retry_budget_means_one_attempt() -> None:
    recorder = Recorder([json_response(503, {})])
    client, _, _, http = build_client(recorder, retry_total_seconds=0)
    async with http:
        with pytest.raises(QuickBooksError) as caught:
            await client.get_invoice("130")
    assert caught.value.code is ErrorCode.QBO_UNAVAILABLE
    assert len(recorder.requests) == 1


async def test_401_refreshes_once_then_succeeds() -> None:
    unauthorized = json_response(401, {"fault": {"error": [{"code": "3200"}]}})
    recorder = Recorder([unauthorized, OK_INVOICE])
    client, tokens, _, http = build_client(recorder)
    async with http:
        await client.get_invoice("130")
    assert tokens.rejections == ["access-token-1"]
    assert recorder.requests[1].headers["Authorization"] == "Bearer access-token-2"


async def test_401_after_refresh_is_a_non_retryable_auth_error() -> None:
    unauthorized = json_response(401, {"fault": {"error": [{"code": "3200"}]}})
    recorder = Recorder([unauthorized])
    client, _, _, http = build_client(recorder)
    async with http:
        with pytest.raises(QuickBooksAuthError) as caught:
            await client.get_invoice("130")
    assert caught.value.code is ErrorCode.QBO_AUTH and not caught.value.retryable
    assert len(recorder.requests) == 2
    assert "access-token" not in str(caught.value) + repr(caught.value.details)


async def test_non_json_success_body_is_retried() -> None:
    recorder = Recorder([httpx.Response(200, content=b"<html/>"), OK_INVOICE])
    client, _, _, http = build_client(recorder)
    async with http:
        invoice = await client.get_invoice("130")
    assert invoice.id == "130"
    assert len(recorder.requests) == 2


async def test_request_id_longer_than_50_is_refused_before_any_call() -> None:
    recorder = Recorder([OK_INVOICE])
    client, _, _, http = build_client(recorder)
    async with http:
        with pytest.raises(ValueError):
            await client.create_invoice(_new_invoice(), request_id="r" * 51)
    assert recorder.requests == []


async def test_metrics_hook_sees_every_attempt_and_cannot_break_a_call() -> None:
    seen: list[RequestMetric] = []

    def hook(metric: RequestMetric) -> None:
        seen.append(metric)
        raise RuntimeError("broken exporter")

    recorder = Recorder([json_response(503, {}), OK_INVOICE])
    client, _, _, http = build_client(recorder, metrics=hook)
    async with http:
        await client.get_invoice("130")
    assert [(m.endpoint, m.outcome, m.attempt) for m in seen] == [
        ("invoice.read", "503", 1),
        ("invoice.read", "200", 2),
    ]
    assert all(m.realm_id == REALM for m in seen)
