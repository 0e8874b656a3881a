"""Poison on every consumed topic, and rows Kafka can never accept in both outboxes: each is
dead-lettered or parked with its reason, the good events around it on the same partition
are all applied, and a normal push for another tenant still completes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from aiokafka.errors import MessageSizeTooLargeError

from services.contract.limits import MAX_MESSAGE_BYTES
from services.contract.push import PushRequested
from services.contract.settings import SettingsChanged
from services.contract.topics import DeadLetterHeader, Topic, invoice_key, tenant_key
from services.gateway.entrypoints.gateway_app import CONSUMED_TOPICS as GATEWAY_TOPICS
from services.sync_worker.entrypoints.worker_app import CONSUMED_TOPICS as WORKER_TOPICS
from tests.faults.hostile.checks import bystander_push_completes, deep, near_limit, produce_at
from tests.faults.hostile.conftest import Stack
from tests.faults.report import ROWS, ScenarioRow
from tests.support import tenants
from tests.support.factories import invoice_created, new_tenant
from tests.support.kafka import TopicReader, produce

pytestmark = pytest.mark.faults

CHANGED = "2026-11-01T00:00:00Z"
POISONS: dict[str, tuple[Callable[[], bytes], str]] = {
    "deep": (deep, "TooDeep"),
    "near-limit": (lambda: near_limit(MAX_MESSAGE_BYTES), "ContractViolation"),
}


async def test_poison_on_every_consumed_topic_is_dead_lettered_and_nothing_waits(
    stack: Stack,
) -> None:
    tenant = new_tenant()
    key = tenant_key(tenant)
    before = invoice_created(tenant)
    invoice_id = before.invoice.invoice_id
    ikey = invoice_key(tenant, invoice_id)
    await produce(stack.bootstrap, Topic.INVOICES, before, ikey)
    await produce(stack.bootstrap, Topic.SETTINGS, SettingsChanged(tenant_id=tenant,
                  invoice_number_prefix="A-"), key)  # fmt: skip
    positions: dict[tuple[str, int, int], tuple[str, str]] = {}
    over_limit_refused = 0
    topics = sorted({t.value for t in (*WORKER_TOPICS, *GATEWAY_TOPICS)})
    for topic in topics:
        # Same key as the good events around it: the same partition must not stall.
        record_key = ikey if topic in (Topic.INVOICES, Topic.RESULTS) else key
        for name, (make, expected) in POISONS.items():
            partition, offset = await produce_at(stack.bootstrap, topic, make(), record_key)
            positions[(topic, partition, offset)] = (name, expected)
        try:
            await produce_at(
                stack.bootstrap,
                topic,
                b"x" * (MAX_MESSAGE_BYTES + 1024),
                record_key,
                max_request=4 * MAX_MESSAGE_BYTES,
            )
        except MessageSizeTooLargeError:
            over_limit_refused += 1
    after = invoice_created(tenant, invoice_id=invoice_id, version=2)
    await produce(stack.bootstrap, Topic.INVOICES, after, ikey)
    await produce(stack.bootstrap, Topic.SETTINGS, SettingsChanged(tenant_id=tenant,
                  invoice_number_prefix="B-"), key)  # fmt: skip
    expected_letters = sum(
        (t in {w.value for w in WORKER_TOPICS}) + (t in {g.value for g in GATEWAY_TOPICS})
        for t, _, _ in positions
    )

    def ours(record: object) -> bool:
        h = record.headers  # type: ignore[attr-defined]
        where = (
            h.get(DeadLetterHeader.SOURCE_TOPIC),
            int(h.get(DeadLetterHeader.SOURCE_PARTITION, -1)),
            int(h.get(DeadLetterHeader.SOURCE_OFFSET, -1)),
        )
        return where in positions

    async with TopicReader(stack.bootstrap, Topic.DEAD_LETTERS) as dlq:
        letters = await dlq.wait_for(ours, count=expected_letters, timeout=120)
    await tenants.wait_for_row(
        stack.pool,
        "SELECT 1 FROM invoice_snapshots WHERE tenant_id = $1 AND invoice_id = $2 AND version = 2",
        tenant,
        invoice_id,
        timeout=60,
    )
    await tenants.wait_for_row(
        stack.pool,
        "SELECT 1 FROM tenants WHERE tenant_id = $1 AND invoice_number_prefix = 'B-'",
        tenant,
        timeout=60,
    )
    classes_ok = all(
        letter.headers[DeadLetterHeader.ERROR_CLASS]
        == positions[
            (
                letter.headers[DeadLetterHeader.SOURCE_TOPIC],
                int(letter.headers[DeadLetterHeader.SOURCE_PARTITION]),
                int(letter.headers[DeadLetterHeader.SOURCE_OFFSET]),
            )
        ][1]
        for letter in letters
    )
    truncated = [
        letter for letter in letters if letter.headers.get(DeadLetterHeader.TRUNCATED) == "true"
    ]
    bystander_ok = await bystander_push_completes(stack)
    ROWS.append(
        ScenarioRow(
            scenario="deep + near-limit + over-limit on every consumed topic",
            units=len(positions),
            disruptions=f"{len(topics)} topics, {over_limit_refused} over-limit refused by Kafka",
            results=len(letters),
            lost=0,
            duplicates=len(letters) - expected_letters,
            extra=f"truncated dead letters={len(truncated)}; good events after applied",
            passed=classes_ok and bystander_ok and over_limit_refused == len(topics),
        )
    )
    assert over_limit_refused == len(topics), "the broker refuses records over the limit"
    assert classes_ok, [letter.headers for letter in letters]
    # Both poisons are larger than a dead letter keeps: each copy is its first bytes + SHA-256.
    assert len(truncated) == len(letters)
    assert all(len(t.headers[DeadLetterHeader.ORIGINAL_SHA256]) == 64 for t in truncated)
    assert bystander_ok


async def test_rows_kafka_refuses_are_parked_and_the_rows_behind_them_flow(
    stack: Stack,
) -> None:
    """A row too large for its topic, already in each service's outbox (as a limit lowered
    after it was written would leave it), is parked; the row behind it, on the same topic
    and partition, is published: the relay's producer is renewed after the refusal."""
    tenant = new_tenant()
    huge = json.dumps({"padding": "x" * (MAX_MESSAGE_BYTES + 10_000)}).encode()
    for schema in ("sync_worker", "gateway"):
        marker = PushRequested(
            tenant_id=tenant, batch_id=uuid.uuid4(), invoice_ids=["x"], requested_by=schema
        )
        await stack.pool.execute(
            f"INSERT INTO {schema}.outbox (topic, key, value, headers) VALUES "
            f"('{Topic.PUSH_REQUESTS.value}', $1, $2, '[]'), "
            f"('{Topic.PUSH_REQUESTS.value}', $1, $3, '[]')",
            tenant_key(tenant),
            huge,
            marker.model_dump_json().encode(),
        )
    async with TopicReader(stack.bootstrap, Topic.PUSH_REQUESTS) as requests:
        published = await requests.wait_for(
            lambda r: tenant.encode() in r.value[:200], count=2, timeout=60
        )
    reasons = {}
    for schema in ("sync_worker", "gateway"):
        row = await tenants.wait_for_row(
            stack.pool,
            f"SELECT reason FROM {schema}.parked_messages WHERE topic = $1 AND "
            "size_bytes > $2 AND key = $3",
            Topic.PUSH_REQUESTS.value,
            MAX_MESSAGE_BYTES,
            tenant_key(tenant),
        )
        reasons[schema] = row["reason"]
    metrics = (await stack.api.get("/metrics")).text
    bystander_ok = await bystander_push_completes(stack)
    ok = all(r and r.startswith("refused_by_kafka") for r in reasons.values()) and bystander_ok
    ROWS.append(
        ScenarioRow(
            scenario="oversized row in each outbox (worker, gateway)",
            units=4,
            disruptions="2 rows Kafka refuses",
            results=len(published),
            lost=2 - len(published),
            duplicates=0,
            extra="parked: " + ", ".join(f"{s}={r!s:.40}" for s, r in reasons.items()),
            passed=ok and "sync_outbox_parked_total" in metrics,
        )
    )
    assert all(r and r.startswith("refused_by_kafka") for r in reasons.values()), reasons
    assert "sync_outbox_parked_total" in metrics
    assert bystander_ok


async def test_a_signed_near_limit_webhook_is_parked_not_blocking(stack: Stack) -> None:
    """A signed webhook whose notification would exceed the topic limit: 200, parked."""
    from tests.faults.hostile.webhooks import signed_post

    realm = stack.bystander_realm["realm_id"]
    entities = [
        {"name": "Invoice", "id": str(n), "operation": "Update", "lastUpdated": CHANGED}
        for n in range(20_000)
    ]
    body = json.dumps(
        {"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": entities}}]}
    ).encode()
    assert MAX_MESSAGE_BYTES < len(body) < 2_000_000
    before = await stack.pool.fetchval(
        "SELECT count(*) FROM gateway.parked_messages WHERE topic = $1",
        Topic.QUICKBOOKS_WEBHOOKS.value,
    )
    response = await signed_post(stack.api, body)
    after = await stack.pool.fetchval(
        "SELECT count(*) FROM gateway.parked_messages WHERE topic = $1",
        Topic.QUICKBOOKS_WEBHOOKS.value,
    )
    bystander_ok = await bystander_push_completes(stack)
    ROWS.append(
        ScenarioRow(
            scenario="signed 1.9 MB webhook",
            units=1,
            disruptions=f"{len(body)} bytes",
            results=response.status_code,
            lost=0,
            duplicates=0,
            extra=f"parked={after - before}",
            passed=response.status_code == 200 and after == before + 1 and bystander_ok,
        )
    )
    assert response.status_code == 200, response.text
    assert after == before + 1
    assert bystander_ok


async def test_a_signed_deeply_nested_webhook_is_answered_200_and_dead_lettered(
    stack: Stack,
) -> None:
    """Intuit retries anything but 2xx: a signed body nobody can read is taken (200) and
    dead-lettered with the reason, never a 500 that would be retried forever."""
    from tests.faults.hostile.webhooks import signed_post

    body = b'{"eventNotifications": ' + deep(50_000) + b"}"
    async with TopicReader(stack.bootstrap, Topic.DEAD_LETTERS) as dlq:
        response = await signed_post(stack.api, body)
        [letter] = await dlq.wait_for(
            lambda r: r.headers.get(DeadLetterHeader.ORIGINAL_SIZE) == str(len(body)), timeout=30
        )
    bystander_ok = await bystander_push_completes(stack)
    reason = letter.headers[DeadLetterHeader.ERROR_MESSAGE]
    ok = response.status_code == 200 and "nested" in reason and bystander_ok
    ROWS.append(
        ScenarioRow(
            scenario="signed 100k-deep webhook",
            units=1,
            disruptions=f"{len(body)} bytes",
            results=1,
            lost=0,
            duplicates=0,
            extra=f"status={response.status_code}; dead letter: {reason[:40]}",
            passed=ok,
        )
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"forwarded": 0, "dead_lettered": 1}
    assert "nested" in reason
    assert bystander_ok
