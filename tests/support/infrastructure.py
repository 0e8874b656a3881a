"""Where the real Kafka / PostgreSQL come from, in this order:

1. externally given `KAFKA_BOOTSTRAP_SERVERS` / `DATABASE_URL`;
2. testcontainers, when a Docker engine answers;
3. the project's own local processes (deploy/local), the path CI uses here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def docker_available() -> bool:
    if os.environ.get("SYNC_TESTS_NO_DOCKER"):
        return False
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def kafka_bootstrap() -> Iterator[str]:
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if given:
        yield given
        return
    if docker_available():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer("apache/kafka:4.1.1").with_kraft() as container:
            yield container.get_bootstrap_server()
        return
    from deploy.local import kafka
    from deploy.local.processes import stop_group

    data = Path(tempfile.mkdtemp(prefix="sync-test-kafka-"))
    broker = kafka.start(data)
    try:
        yield broker.bootstrap_servers
    finally:
        stop_group(broker.pid, grace=15)
        shutil.rmtree(data, ignore_errors=True)


@contextlib.contextmanager
def database_url() -> Iterator[str]:
    given = os.environ.get("DATABASE_URL")
    if given:
        yield given
        return
    if docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver=None) as container:
            yield container.get_connection_url()
        return
    from deploy.local import postgres

    base = Path(tempfile.mkdtemp(prefix="sync-test-pg-"))
    base.chmod(0o755)
    cluster = postgres.start(base / "pg")
    try:
        yield cluster.url
    finally:
        cluster.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)
