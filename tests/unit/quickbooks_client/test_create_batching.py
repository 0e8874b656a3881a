"""Creates that wait at the rate gate leave as one `/batch`; each caller gets its own answer."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from services.contract.errors import ErrorCode
from services.sync_worker.quickbooks.batching import CreateBatcher, batch_request_id, batch_target
from services.sync_worker.quickbooks.client import QuickBooksClient
from services.sync_worker.quickbooks.errors import QuickBooksError
from services.sync_worker.quickbooks.models import Invoice
from services.sync_worker.quickbooks.rate_limit import WaitedGrant
from services.sync_worker.quickbooks.transport import RequestExecutor
from tests.unit.quickbooks_client.qbo_client_fakes import (
    REALM,
    TENANT,
    FakeTokens,
    Recorder,
    fault,
    invoice_json,
    json_response,
    make_config,
)


@dataclass
class CountingGrant(WaitedGrant):
    """The real grant's sizing, recording each batch of more than one call it is charged."""

    charged: list[int] = field(default_factory=list)

    def charge_batch(self, items: int) -> None:
        if items > 1:
            self.charged.append(items)


@dataclass
class Gate:
    """Grants at once, or holds every grant after the first until `open()`."""

    rooms: list[int] = field(default_factory=lambda: [30])
    charged: list[int] = field(default_factory=list)
    acquired: int = 0
    hold_after_first: bool = False
    _open: asyncio.Event = field(default_factory=asyncio.Event)

    async def acquire(self, realm_id: str) -> CountingGrant:
        self.acquired += 1
        if self.hold_after_first and self.acquired > 1:
            await self._open.wait()
        room = self.rooms[min(self.acquired - 1, len(self.rooms) - 1)]
        return CountingGrant(waited=0.0, room=room, charged=self.charged)

    def open(self) -> None:
        self._open.set()

    async def seconds_until_available(self, realm_id: str) -> float:
        return 0.0

    def throttled(self, realm_id: str, seconds: float) -> None:
        return None


def _answering(request: httpx.Request) -> httpx.Response:
    """Invoice n of a batch gets Id 100+n; a lone create gets Id 1; DocNumber "BAD" faults."""
    body = json.loads(request.content)
    if request.url.path.endswith("/invoice"):
        return json_response(200, {"Invoice": invoice_json("1", DocNumber=body["DocNumber"])})
    responses: list[dict[str, Any]] = []
    for n, item in enumerate(body["BatchItemRequest"], 1):
        number = item["Invoice"]["DocNumber"]
        if number == "BAD":
            responses.append({"bId": item["bId"], **fault("6140", "Duplicate Document Number")})
        else:
            responses.append(
                {"bId": item["bId"], "Invoice": invoice_json(str(100 + n), DocNumber=number)}
            )
    return json_response(200, {"BatchItemResponse": responses[::-1]})  # any order


def _setup(
    recorder: Recorder, gate: Gate, **config: Any
) -> tuple[QuickBooksClient, httpx.AsyncClient]:
    cfg = make_config(**config)
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    executor = RequestExecutor(cfg, http, FakeTokens(), gate)  # type: ignore[arg-type]
    batcher = CreateBatcher(executor, gate, 30)
    client = QuickBooksClient(
        executor,
        cfg,
        tenant_id=TENANT,
        realm_id=REALM,
        batcher=batcher,
    )
    return client, http


def _invoice(number: str) -> Invoice:
    return Invoice.model_validate(
        {
            "DocNumber": number,
            "CustomerRef": {"value": "59"},
            "Line": [
                {
                    "Amount": 10,
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": "20"}},
                }
            ],
        }
    )


async def _create_all(client: QuickBooksClient, numbers: list[str]) -> list[Any]:
    return await asyncio.gather(
        *(
            client.create_invoice(_invoice(n), request_id=f"req-{n}", batchable=True)
            for n in numbers
        ),
        return_exceptions=True,
    )


async def test_creates_waiting_for_the_gate_leave_as_one_batch() -> None:
    recorder = Recorder([_answering])
    gate = Gate(hold_after_first=True)
    client, http = _setup(recorder, gate)
    first = asyncio.ensure_future(
        client.create_invoice(_invoice("A1"), request_id="req-A1", batchable=True)
    )
    await asyncio.sleep(0.01)  # the realm had room: sent alone
    rest = asyncio.ensure_future(_create_all(client, ["B1", "B2", "B3"]))
    await asyncio.sleep(0.01)
    gate.open()
    alone, batched = await first, await rest
    await http.aclose()
    assert [r.url.path.rsplit("/", 1)[-1] for r in recorder.requests] == ["invoice", "batch"]
    assert recorder.requests[0].url.params["requestid"] == "req-A1"
    items = recorder.bodies()[1]["BatchItemRequest"]
    assert [(i["bId"], i["operation"], i["Invoice"]["DocNumber"]) for i in items] == [
        ("b1", "create", "B1"),
        ("b2", "create", "B2"),
        ("b3", "create", "B3"),
    ]
    assert recorder.requests[1].url.params["requestid"] == batch_request_id(
        ["req-B3", "req-B1", "req-B2"]
    )
    assert alone.id == "1"
    assert [(i.id, i.doc_number) for i in batched] == [("101", "B1"), ("102", "B2"), ("103", "B3")]
    assert gate.charged == [3], "three calls charged for the batch"


async def test_a_batch_never_carries_more_than_the_minute_budget_allows() -> None:
    recorder = Recorder([_answering])
    gate = Gate(rooms=[2, 2, 1])
    client, http = _setup(recorder, gate)
    results = await _create_all(client, ["C1", "C2", "C3", "C4", "C5"])
    await http.aclose()
    sizes = [
        len(b["BatchItemRequest"]) if "BatchItemRequest" in b else 1 for b in recorder.bodies()
    ]
    assert sizes == [2, 2, 1]
    assert sorted(i.doc_number for i in results) == ["C1", "C2", "C3", "C4", "C5"]


async def test_an_item_fault_fails_only_that_create_as_a_definitive_rejection() -> None:
    recorder = Recorder([_answering])
    client, http = _setup(recorder, Gate())
    good, bad, other = await _create_all(client, ["D1", "BAD", "D3"])
    await http.aclose()
    assert isinstance(bad, QuickBooksError)
    assert bad.code is ErrorCode.QBO_DUPLICATE_NUMBER and bad.http_status == 400
    assert (good.doc_number, other.doc_number) == ("D1", "D3")


async def test_a_retried_batch_resends_the_same_body_and_request_id() -> None:
    recorder = Recorder([json_response(503, {}), _answering])
    gate = Gate()
    client, http = _setup(recorder, gate)
    results = await _create_all(client, ["E1", "E2"])
    await http.aclose()
    first, second = recorder.requests
    assert first.content == second.content
    assert first.url.params["requestid"] == second.url.params["requestid"]
    assert [i.doc_number for i in results] == ["E1", "E2"]
    assert gate.charged == [2, 2], "a resent batch is charged again"


async def test_when_the_batch_fails_every_item_gets_the_error() -> None:
    recorder = Recorder(
        [json_response(400, fault("2010", "Request has invalid or unsupported property"))]
    )
    client, http = _setup(recorder, Gate())
    results = await _create_all(client, ["F1", "F2"])
    await http.aclose()
    assert all(isinstance(r, QuickBooksError) for r in results)


@pytest.mark.parametrize("batchable", [False, True], ids=["not-batchable", "batchable"])
async def test_a_lone_create_is_a_plain_create(batchable: bool) -> None:
    recorder = Recorder([_answering])
    client, http = _setup(recorder, Gate())
    created = await client.create_invoice(_invoice("G1"), request_id="req-G1", batchable=batchable)
    await http.aclose()
    assert created.doc_number == "G1"
    assert recorder.requests[0].url.path.endswith("/invoice")
    assert recorder.requests[0].url.params["requestid"] == "req-G1"


def test_a_batch_request_id_fits_intuits_batch_limit() -> None:
    assert len(batch_request_id([f"c{'f' * 40}"] * 30)) == 36
    assert batch_request_id(["a", "b"]) == batch_request_id(["b", "a"])
    assert batch_request_id(["a", "b"]) != batch_request_id(["a", "c"])


@pytest.mark.parametrize(
    ("in_flight", "item_seconds", "target"),
    [(16, 0.4, 2), (16, 0.1, 4), (32, 0.3, 3), (16, 2.0, 1), (16, 0.001, 30), (16, 0.0, 30)],
)
def test_a_batch_carries_what_moves_the_backlog_fastest(
    in_flight: int, item_seconds: float, target: int
) -> None:
    assert batch_target(in_flight, 10, item_seconds) == target


async def test_a_resent_batch_waits_until_the_minute_has_room_for_all_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from services.sync_worker.quickbooks import transport

    monkeypatch.setattr(transport, "NO_ROOM_PAUSE_SECONDS", 0.0)
    recorder = Recorder([json_response(503, {}), _answering])
    gate = Gate(rooms=[30, 1, 1, 30])  # the retry's first two grants have no room for 2
    client, http = _setup(recorder, gate)
    results = await _create_all(client, ["H1", "H2"])
    await http.aclose()
    assert [i.doc_number for i in results] == ["H1", "H2"]
    assert len(recorder.requests) == 2, "sent once, resent once: not while there was no room"
    assert gate.acquired == 4
    assert gate.charged == [2, 2], "charged only on the grants it was sent at"
