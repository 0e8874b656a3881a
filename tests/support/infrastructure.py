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
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Service:
    """Where a service answers, and how to restart it when this test run owns it."""

    url: str
    restart: Callable[[], None] | None = None


def docker_available() -> bool:
    if os.environ.get("SYNC_TESTS_NO_DOCKER"):
        return False
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


def kafka_bootstrap() -> AbstractContextManager[Service]:
    return _first_source("KAFKA_BOOTSTRAP_SERVERS", _kafka_container, _local_kafka)


def database_url() -> AbstractContextManager[Service]:
    return _first_source("DATABASE_URL", _postgres_container, _local_postgres)


@contextlib.contextmanager
def _first_source(
    variable: str,
    container: Callable[[], AbstractContextManager[str]],
    local: Callable[[], AbstractContextManager[Service]],
) -> Iterator[Service]:
    """The sources in the order this module's docstring gives."""
    given = os.environ.get(variable)
    if given:
        yield Service(given)
    elif docker_available():
        with container() as url:
            yield Service(url)
    else:
        with local() as service:
            yield service


@contextlib.contextmanager
def _kafka_container() -> Iterator[str]:
    from testcontainers.kafka import KafkaContainer

    with KafkaContainer("apache/kafka:4.1.1").with_kraft() as container:
        yield container.get_bootstrap_server()


@contextlib.contextmanager
def _postgres_container() -> Iterator[str]:
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16", driver=None) as container:
        yield container.get_connection_url()


@contextlib.contextmanager
def _local_kafka() -> Iterator[Service]:
    from deploy.local import kafka
    from deploy.local.processes import stop_group

    data = Path(tempfile.mkdtemp(prefix="sync-test-kafka-"))
    broker = kafka.start(data)

    def restart() -> None:
        nonlocal broker
        stop_group(broker.pid, grace=15)
        broker = kafka.start(data)

    try:
        yield Service(broker.bootstrap_servers, restart)
    finally:
        stop_group(broker.pid, grace=15)
        shutil.rmtree(data, ignore_errors=True)


@contextlib.contextmanager
def _local_postgres() -> Iterator[Service]:
    from deploy.local import postgres

    base = Path(tempfile.mkdtemp(prefix="sync-test-pg-"))
    base.chmod(0o755)
    cluster = postgres.start(base / "pg")

    def restart() -> None:
        cluster.stop("fast")
        cluster.start()

    try:
        yield Service(cluster.url, restart)
    finally:
        cluster.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)
