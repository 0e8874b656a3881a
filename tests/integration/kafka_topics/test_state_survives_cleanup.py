"""While the worker is stopped the broker deletes expired history, yet the settings change
and the connection published before are applied after the restart: state topics are
compacted, so time-based cleanup never removes them."""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import SecretStr

from deploy.local import kafka
from deploy.local.processes import stop_group
from deploy.local.services import start_worker
from services.contract.connections import QuickBooksConnectionRequested
from services.contract.settings import SettingsChanged
from services.contract.topics import Topic, invoice_key, tenant_key
from services.platform.crypto import TokenCipher, parse_keys
from services.platform.topic_specs import STATE, TOPIC_SPECS
from tests.integration.kafka_topics.helpers import set_topic_configs
from tests.support.environment import ENCRYPTION_KEY, log_dir
from tests.support.factories import invoice_created, new_tenant
from tests.support.kafka import produce
from tests.support.tenants import wait_for_row

pytestmark = pytest.mark.integration

PARTITIONS = 3


@pytest.fixture
def fast_cleanup_broker(tmp_path: Path) -> Iterator[str]:
    """A broker of its own that applies retention and compaction every second."""
    data = tmp_path / "kafka"
    broker = kafka.start(data, partitions=PARTITIONS)
    stop_group(broker.pid, grace=15)
    with (data / "server.properties").open("a") as config:
        config.write("log.retention.check.interval.ms=1000\nlog.cleaner.backoff.ms=1000\n")
    broker = kafka.start(data)  # same data and port, new settings
    try:
        yield broker.bootstrap_servers
    finally:
        stop_group(broker.pid, grace=15)
        shutil.rmtree(data, ignore_errors=True)


def _short_lived(state: bool) -> dict[str, str]:
    # The same one-second retention everywhere: only the cleanup policy tells them apart.
    shortened = {"retention.ms": "1000", "segment.ms": "1000"}
    if state:
        shortened |= {"min.compaction.lag.ms": "0", "min.cleanable.dirty.ratio": "0.01"}
    return shortened


async def _wait_until_emptied(bootstrap: str, topic: str, timeout: float = 180.0) -> None:
    """Until the broker has deleted every record of `topic` (log start = log end > 0)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    partitions = [TopicPartition(topic, p) for p in range(PARTITIONS)]
    deadline = time.monotonic() + timeout
    try:
        while True:
            start = await consumer.beginning_offsets(partitions)
            end = await consumer.end_offsets(partitions)
            if sum(end.values()) > 0 and start == end:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic} not cleaned up: start {start}, end {end}")
            await asyncio.sleep(1)
    finally:
        await consumer.stop()


async def test_settings_and_connection_outlive_history_cleanup(
    fast_cleanup_broker: str, service_env: dict[str, str], worker_pg_pool: asyncpg.Pool
) -> None:
    bootstrap = fast_cleanup_broker
    env = {
        **service_env,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "TOPIC_PARTITIONS": str(PARTITIONS),
        "WORKER_GROUP_ID": f"cleanup-{uuid.uuid4().hex[:8]}",
    }
    start_worker(log_dir(), env, name="cleanup-worker").stop()  # topics created, worker down
    await set_topic_configs(
        bootstrap,
        {
            s.topic.value: {**s.configs(1), **_short_lived(s.cleanup_policy == STATE)}
            for s in TOPIC_SPECS
        },
    )
    tenant = new_tenant()
    invoice = invoice_created(tenant)
    settings = SettingsChanged(tenant_id=tenant, manual_push=True, invoice_number_prefix="CMP-")
    cipher = TokenCipher(parse_keys(ENCRYPTION_KEY))
    connection = QuickBooksConnectionRequested(
        tenant_id=tenant,
        realm_id=f"realm-{tenant}",
        refresh_token_encrypted=cipher.encrypt(SecretStr("refresh-before-outage")).decode(),
        requested_by="tests",
    )
    await produce(
        bootstrap, Topic.INVOICES, invoice, invoice_key(tenant, invoice.invoice.invoice_id)
    )
    await produce(bootstrap, Topic.SETTINGS, settings, tenant_key(tenant))
    await produce(bootstrap, Topic.CONNECTIONS, connection, tenant_key(tenant))

    await _wait_until_emptied(bootstrap, Topic.INVOICES.value)

    worker = start_worker(log_dir(), env, name="cleanup-worker")
    try:
        row = await wait_for_row(
            worker_pg_pool,
            "SELECT manual_push, invoice_number_prefix FROM tenants WHERE tenant_id = $1",
            tenant,
            timeout=90,
        )
        assert (row["manual_push"], row["invoice_number_prefix"]) == (True, "CMP-")
        await wait_for_row(
            worker_pg_pool,
            "SELECT 1 FROM quickbooks_connections WHERE tenant_id = $1 AND realm_id = $2",
            tenant,
            connection.realm_id,
            timeout=90,
        )
        # The invoice was history: deleted before the worker came back, so never applied.
        snapshots = await worker_pg_pool.fetchval(
            "SELECT count(*) FROM invoice_snapshots WHERE tenant_id = $1", tenant
        )
        assert snapshots == 0
    finally:
        worker.stop()
