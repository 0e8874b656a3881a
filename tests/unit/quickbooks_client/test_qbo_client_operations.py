from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.contract.errors import ErrorCode
from services.sync_worker.quickbooks.errors import (
    QuickBooksDuplicateNameError,
    QuickBooksStaleObjectError,
)
from services.sync_worker.quickbooks.models import Customer, Invoice
from tests.unit.quickbooks_client.qbo_client_fakes import (
    Recorder,
    build_client,
    fault,
    invoice_json,
    json_response,
)

STALE = json_response(400, fault("5010", "Stale Object Error", "You and root were working..."))


def _read(sync_token: str) -> httpx.Response:
    return json_response(200, {"Invoice": invoice_json(sync_token=sync_token)})


async def test_stale_update_raises_conflict_by_default() -> None:
    recorder = Recorder([STALE])
    client, _, _, http = build_client(recorder)
    invoice = Invoice.model_validate(invoice_json(sync_token="0"))
    async with http:
        with pytest.raises(QuickBooksStaleObjectError) as caught:
            await client.update_invoice(invoice, request_id="upd-1")
    assert caught.value.code is ErrorCode.QBO_CONFLICT
    assert caught.value.details["entity_id"] == "130"
    assert caught.value.details["sent_sync_token"] == "0"
    assert len(recorder.requests) == 1


async def test_stale_update_rereads_and_retries_with_a_derived_request_id() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return _read("3")
        return _read("4")

    recorder = Recorder([STALE, answer])
    client, _, _, http = build_client(recorder)
    invoice = Invoice.model_validate(invoice_json(sync_token="0", PrivateNote="mine"))
    async with http:
        updated = await client.update_invoice(
            invoice, request_id="upd-2", on_stale="reread_and_retry"
        )
    assert updated.sync_token == "4"
    methods = [r.method for r in recorder.requests]
    assert methods == ["POST", "GET", "POST"]
    retry = recorder.requests[2]
    assert retry.url.params["requestid"] == "upd-2-st3"
    assert recorder.bodies()[2]["SyncToken"] == "3"
    assert recorder.bodies()[2]["PrivateNote"] == "mine"


async def test_sparse_update_sends_only_given_fields() -> None:
    recorder = Recorder([_read("1")])
    client, _, _, http = build_client(recorder)
    async with http:
        await client.sparse_update_invoice("130", "0", {"PrivateNote": "x"}, request_id="sp-1")
    assert recorder.bodies()[0] == {
        "PrivateNote": "x",
        "Id": "130",
        "SyncToken": "0",
        "sparse": True,
    }


async def test_void_and_delete_use_operation_parameter() -> None:
    deleted = json_response(200, {"Invoice": {"status": "Deleted", "domain": "QBO", "Id": "130"}})
    recorder = Recorder([_read("1"), deleted])
    client, _, _, http = build_client(recorder)
    async with http:
        await client.void_invoice("130", "0", request_id="void-1")
        result = await client.delete_invoice("130", "1", request_id="del-1")
    assert [r.url.params["operation"] for r in recorder.requests] == ["void", "delete"]
    assert recorder.bodies() == [{"Id": "130", "SyncToken": "0"}, {"Id": "130", "SyncToken": "1"}]
    assert result.status == "Deleted" and result.id == "130"


async def test_query_follows_pages() -> None:
    def page(request: httpx.Request) -> httpx.Response:
        statement = request.url.params["query"]
        if "STARTPOSITION 1 " in statement:
            rows = [invoice_json(invoice_id=str(i)) for i in range(2)]
        else:
            rows = [invoice_json(invoice_id="2")]
        return json_response(200, {"QueryResponse": {"Invoice": rows}})

    recorder = Recorder([page])
    client, _, _, http = build_client(recorder, query_page_size=2)
    async with http:
        found = await client.find_invoices_by_ids(["0", "1", "2", "1"])
    assert [i.id for i in found] == ["0", "1", "2"]
    assert "Id in ('0', '1', '2')" in recorder.requests[0].url.params["query"]
    assert len(recorder.requests) == 2


async def test_customer_lookup_escapes_quotes_and_handles_empty_answer() -> None:
    recorder = Recorder([json_response(200, {"QueryResponse": {}})])
    client, _, _, http = build_client(recorder)
    async with http:
        assert await client.find_customer_by_display_name("O'Brien Media") is None
    assert "DisplayName = 'O\\'Brien Media'" in recorder.requests[0].url.params["query"]


async def test_find_or_create_customer_recovers_from_a_concurrent_create() -> None:
    existing = {"Id": "77", "DisplayName": "Acme", "SyncToken": "0", "Active": True}
    answers = iter(
        [
            json_response(200, {"QueryResponse": {}}),
            json_response(400, fault("6240", "Duplicate Name Exists Error")),
            json_response(200, {"QueryResponse": {"Customer": [existing]}}),
        ]
    )
    recorder = Recorder([lambda _r: next(answers)])
    client, _, _, http = build_client(recorder)
    async with http:
        customer = await client.find_or_create_customer(
            Customer(display_name="Acme"), request_id="cust-1"
        )
    assert customer.id == "77"
    assert recorder.requests[1].url.params["requestid"] == "cust-1"


async def test_duplicate_name_without_a_customer_is_raised() -> None:
    answers = iter(
        [
            json_response(200, {"QueryResponse": {}}),
            json_response(400, fault("6240", "Duplicate Name Exists Error")),
            json_response(200, {"QueryResponse": {}}),
        ]
    )
    recorder = Recorder([lambda _r: next(answers)])
    client, _, _, http = build_client(recorder)
    async with http:
        with pytest.raises(QuickBooksDuplicateNameError):
            await client.find_or_create_customer(Customer(display_name="V"), request_id="c-2")


async def test_cdc_separates_changed_and_deleted_invoices() -> None:
    body = {
        "CDCResponse": [
            {
                "QueryResponse": [
                    {
                        "Invoice": [
                            invoice_json(invoice_id="1"),
                            {"Id": "2", "status": "Deleted", "domain": "QBO"},
                        ]
                    }
                ]
            }
        ],
        "time": "2025-01-15T10:00:00.000-08:00",
    }
    recorder = Recorder([json_response(200, body)])
    client, _, _, http = build_client(recorder)
    since = datetime.now(UTC) - timedelta(days=1)
    async with http:
        changes = await client.invoice_changes_since(since)
    assert [i.id for i in changes.changed] == ["1"]
    assert [d.id for d in changes.deleted] == ["2"]
    assert changes.server_time is not None and not changes.may_be_truncated
    params = recorder.requests[0].url.params
    assert params["entities"] == "Invoice"
    assert datetime.fromisoformat(params["changedSince"]) == since


async def test_cdc_refuses_lookback_over_30_days() -> None:
    recorder = Recorder([json_response(200, {})])
    client, _, _, http = build_client(recorder)
    async with http:
        with pytest.raises(ValueError):
            await client.invoice_changes_since(datetime.now(UTC) - timedelta(days=31))
    assert recorder.requests == []


async def test_items_lookup_includes_inactive() -> None:
    items = [{"Id": "20", "Name": "Display Ad", "Active": False, "UnitPrice": 100}]
    recorder = Recorder([json_response(200, {"QueryResponse": {"Item": items}})])
    client, _, _, http = build_client(recorder)
    async with http:
        found = await client.find_items_by_ids(["20"])
    assert found[0].active is False
    assert "Active in (true, false)" in recorder.requests[0].url.params["query"]
