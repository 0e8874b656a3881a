"""Malformed and oversized events never stop a consumer and are dead-lettered with a reason."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable

import pytest

from services.contract.limits import DEAD_LETTER_KEPT_BYTES
from services.contract.topics import DeadLetterHeader, Topic, invoice_key
from tests.faults.conftest import Replicas
from tests.faults.report import ROWS, ScenarioRow
from tests.support.factories import invoice_created, new_tenant
from tests.support.kafka import Record, TopicReader, produce_many

pytestmark = pytest.mark.faults


def _keyed(key: bytes) -> Callable[[Record], bool]:
    return lambda record: record.key == key


async def test_malformed_and_oversized_events_are_dead_lettered(
    replicas: Replicas, kafka_bootstrap_servers: str
) -> None:
    replicas.start_all()
    tenant = new_tenant()
    too_many_ids = {
        "event_type": "push.requested",
        "tenant_id": tenant,
        "batch_id": str(uuid.uuid4()),
        "invoice_ids": [f"i{n}" for n in range(10_001)],
        "requested_by": "someone",
    }
    huge_invoice = json.loads(invoice_created(tenant).model_dump_json())
    huge_invoice["invoice"]["memo"] = "x" * 50_000
    bad: list[tuple[str, bytes, str]] = [
        (Topic.INVOICES, b"{truncated", "InvalidJson"),
        (Topic.INVOICES, b"\xc3\x28 not utf-8", "InvalidEncoding"),
        (Topic.INVOICES, b'{"event_type": "invoice.created"}', "ContractViolation"),
        (Topic.INVOICES, json.dumps(huge_invoice).encode(), "ContractViolation"),
        (
            Topic.SETTINGS,
            b'{"event_type": "settings.changed", "tenant_id": ""}',
            "ContractViolation",
        ),
        (Topic.PUSH_REQUESTS, json.dumps(too_many_ids).encode(), "ContractViolation"),
    ]
    # PostgreSQL cannot store NUL in text: the contract refuses it before anything is applied.
    nul_memo = json.loads(invoice_created(tenant).model_dump_json())
    nul_memo["invoice"]["memo"] = "before\u0000after"
    bad.append((Topic.INVOICES, json.dumps(nul_memo).encode(), "ContractViolation"))
    good = invoice_created(tenant)
    markers = [f"{tenant}:bad{i}".encode() for i in range(len(bad))]
    async with (
        TopicReader(kafka_bootstrap_servers, Topic.DEAD_LETTERS) as dlq,
        TopicReader(kafka_bootstrap_servers, Topic.RESULTS) as results,
    ):
        for (topic, payload, _), key in zip(bad, markers, strict=True):
            await produce_many(kafka_bootstrap_servers, topic, [(key, payload)])
        await produce_many(
            kafka_bootstrap_servers,
            Topic.INVOICES,
            [(invoice_key(tenant, good.invoice.invoice_id), good)],
        )
        for marker in markers:  # each one, not a count: a duplicate must not hide a missing one
            await dlq.wait_for(_keyed(marker), timeout=60)
        # The consumer went on: the valid event after the poison still got its result.
        await results.wait_for(lambda r: r.json()["tenant_id"] == tenant, timeout=60)
        await dlq.settle(2.0)
    dead = [r for r in dlq.records if r.key in markers]
    by_key = {r.key: r for r in dead}
    classes = [by_key[k].headers[DeadLetterHeader.ERROR_CLASS] for k in markers]
    expected = [e for _, _, e in bad]
    nul_reason = by_key[markers[-1]].headers[DeadLetterHeader.ERROR_MESSAGE]
    ok = classes == expected and "memo" in nul_reason and len(dead) == len(bad)
    ROWS.append(
        ScenarioRow(
            scenario="malformed / oversized events",
            units=len(bad),
            disruptions="7 poison records on 3 topics",
            results=len(by_key),
            lost=len(bad) - len(by_key),
            duplicates=len(dead) - len(by_key),
            extra="classes=" + ",".join(sorted(set(classes))),
            passed=ok,
        )
    )
    assert classes == expected
    assert "memo" in nul_reason, nul_reason
    for key, (topic, payload, _) in zip(markers, bad, strict=True):
        record = by_key[key]
        if len(payload) <= DEAD_LETTER_KEPT_BYTES:
            assert record.value == payload, "the original bytes are kept"
        else:
            assert payload.startswith(record.value) and len(record.value) < len(payload)
            assert record.headers[DeadLetterHeader.TRUNCATED] == "true"
            assert record.headers[DeadLetterHeader.ORIGINAL_SIZE] == str(len(payload))
            digest = hashlib.sha256(payload).hexdigest()
            assert record.headers[DeadLetterHeader.ORIGINAL_SHA256] == digest
        assert record.headers[DeadLetterHeader.SOURCE_TOPIC] == topic
        assert record.headers[DeadLetterHeader.ERROR_MESSAGE]
    reason = by_key[markers[5]].headers[DeadLetterHeader.ERROR_MESSAGE]
    assert "invoice_ids" in reason and "10000" in reason, reason
