"""Reading QuickBooks for a run: pages of 1,000, long `Id in (...)` statements sent as a
POST body, and no page asked for beyond what an Id list can match."""

from __future__ import annotations

import re

import httpx

from services.sync_worker.reconciliation.reader import read_invoices
from tests.unit.quickbooks_client.qbo_client_fakes import Recorder, build_client, invoice_json

_PAGE = re.compile(r"STARTPOSITION (\d+) MAXRESULTS (\d+)$")


class FakeCompany:
    """Answers `Id in (...)` and `DocNumber like 'P%'` over invoices numbered `doc_numbers`."""

    def __init__(self, doc_numbers: dict[str, str]) -> None:
        self.doc_numbers = doc_numbers

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            assert request.headers["Content-Type"] == "application/text"
            assert "query" not in request.url.params
            statement = request.content.decode()
        else:
            statement = request.url.params["query"]
        paging = _PAGE.search(statement)
        assert paging is not None, statement
        start, size = int(paging[1]), int(paging[2])
        matched = [i for i in self.doc_numbers if self._matches(statement, i)]
        page = matched[start - 1 : start - 1 + size]
        rows = [invoice_json(invoice_id=i, DocNumber=self.doc_numbers[i]) for i in page]
        return httpx.Response(200, json={"QueryResponse": {"Invoice": rows} if rows else {}})

    def _matches(self, statement: str, invoice_id: str) -> bool:
        like = re.search(r"DocNumber like '([^%']*)%'", statement)
        if like:
            return self.doc_numbers[invoice_id].startswith(like[1])
        ids = re.search(r"Id in \(([^)]*)\)", statement)
        assert ids is not None, statement
        return f"'{invoice_id}'" in ids[1].split(", ")


async def test_without_a_prefix_ids_go_a_thousand_per_post_query() -> None:
    company = FakeCompany({str(n): f"{n}" for n in range(1, 2501)})
    recorder = Recorder([company])
    client, _, _, http = build_client(recorder)
    async with http:
        found = await read_invoices(client, None, [str(n) for n in range(1, 2501)])
    assert len(found) == 2500
    assert [r.method for r in recorder.requests] == ["POST", "POST", "POST"]
    sizes = [r.content.decode().count("'") // 2 for r in recorder.requests]
    assert sizes == [1000, 1000, 500]


async def test_prefix_pages_then_only_the_ledger_ids_it_missed() -> None:
    numbers = {str(n): f"RC-{n}" for n in range(1, 1201)}
    numbers |= {"5000": "renumbered", "5001": "OTHER-1"}
    recorder = Recorder([FakeCompany(numbers)])
    client, _, _, http = build_client(recorder)
    ledger = ["5", "5000", "5001", "9999"]
    async with http:
        found = await read_invoices(client, "RC-", ledger)
    assert {f.id for f in found} == set(numbers)
    statements = [r.url.params.get("query", "") for r in recorder.requests]
    # Two pages of the prefix (1,000 + 200), then one short Id query sent by GET.
    assert [r.method for r in recorder.requests] == ["GET", "GET", "GET"]
    assert "STARTPOSITION 1001 MAXRESULTS 1000" in statements[1]
    assert "Id in ('5000', '5001', '9999')" in statements[2]


async def test_a_full_page_of_ids_asks_for_no_next_page() -> None:
    recorder = Recorder([FakeCompany({str(n): f"{n}" for n in range(1, 1001)})])
    client, _, _, http = build_client(recorder)
    async with http:
        found = await read_invoices(client, None, [str(n) for n in range(1, 1001)])
    assert len(found) == 1000
    assert len(recorder.requests) == 1
