"""The walking skeleton over the real broker and database: event in, result or DLQ out."""

from __future__ import annotations

import json

import pytest

from services.contract.topics import DeadLetterHeader, Topic, invoice_key
from tests.support.factories import invoice_created, new_tenant
from tests.support.kafka import TopicReader, produce

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("running_worker")]


async def test_invoice_event_gets_exactly_one_result(kafka_bootstrap_servers: str) -> None:
    tenant = new_tenant()
    event = invoice_created(tenant)
    key = invoice_key(tenant, event.invoice.invoice_id)
    async with TopicReader(kafka_bootstrap_servers, Topic.RESULTS) as results:
        await produce(kafka_bootstrap_servers, Topic.INVOICES, event, key)
        # The same event delivered twice (producer retry, replay): still one result.
        await produce(kafka_bootstrap_servers, Topic.INVOICES, event, key)
        [record] = await results.wait_for(lambda r: r.json()["tenant_id"] == tenant)
        await results.settle(2.0)
        assert len([r for r in results.records if r.json()["tenant_id"] == tenant]) == 1
    body = record.json()
    assert record.key == key
    assert body["event_type"] == "invoice.sync.failed"
    assert body["invoice_id"] == event.invoice.invoice_id
    assert body["invoice_version"] == 1
    assert body["trigger"] == "auto"
    assert body["operation"] == "none"
    assert body["error"]["code"] == "NOT_CONNECTED"
    assert body["error"]["retryable"] is False
    assert "Connect QuickBooks" in body["error"]["message"]


@pytest.mark.parametrize(
    ("payload", "error_class", "reason"),
    [
        (b"{this is not json", "InvalidJson", "not valid JSON"),
        (b'{"event_type": "invoice.created", "tenant_id": "x"}', "ContractViolation", "invoice"),
    ],
)
async def test_malformed_message_is_dead_lettered_with_reason(
    kafka_bootstrap_servers: str, payload: bytes, error_class: str, reason: str
) -> None:
    marker = new_tenant().encode()
    async with TopicReader(kafka_bootstrap_servers, Topic.DEAD_LETTERS) as dlq:
        await produce(kafka_bootstrap_servers, Topic.INVOICES, payload, key=marker)
        [record] = await dlq.wait_for(lambda r: r.key == marker)
    assert record.value == payload
    assert record.headers[DeadLetterHeader.SOURCE_TOPIC] == Topic.INVOICES
    assert int(record.headers[DeadLetterHeader.SOURCE_OFFSET]) >= 0
    assert record.headers[DeadLetterHeader.SOURCE_PARTITION].isdigit()
    assert record.headers[DeadLetterHeader.ERROR_CLASS] == error_class
    assert reason in record.headers[DeadLetterHeader.ERROR_MESSAGE]


async def test_consumer_keeps_going_after_poison(kafka_bootstrap_servers: str) -> None:
    tenant = new_tenant()
    good = invoice_created(tenant)
    key = invoice_key(tenant, good.invoice.invoice_id)
    async with TopicReader(kafka_bootstrap_servers, Topic.RESULTS) as results:
        await produce(kafka_bootstrap_servers, Topic.INVOICES, b"\x00\x01garbage", key)
        await produce(kafka_bootstrap_servers, Topic.INVOICES, good, key)
        [record] = await results.wait_for(lambda r: r.json()["tenant_id"] == tenant)
    assert json.loads(record.value)["invoice_id"] == good.invoice.invoice_id
