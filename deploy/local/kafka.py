"""A real single-node Apache Kafka 4.x broker (KRaft, broker+controller) from Maven jars."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from deploy.local.kafka_jars import ensure_jars
from deploy.local.processes import free_port, port_open, spawn, stop_group, wait_until
from services.contract.limits import MAX_MESSAGE_BYTES, PRODUCER_MAX_REQUEST_BYTES

REPO = Path(__file__).resolve().parents[2]
POM = REPO / "deploy" / "kafka" / "pom.xml"
LOG4J = REPO / "deploy" / "kafka" / "log4j2.yaml"
HEAP = "-Xms256m -Xmx768m"


@dataclass
class KafkaProcess:
    pid: int
    bootstrap_servers: str
    port: int
    data_dir: Path
    log_file: Path


def _config(data_dir: Path, port: int, controller_port: int, partitions: int) -> str:
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@127.0.0.1:{controller_port}",
            f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name=PLAINTEXT",
            f"log.dirs={data_dir / 'logs'}",
            f"num.partitions={partitions}",
            "auto.create.topics.enable=false",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=12",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "log.retention.hours=24",
            # Record size limits, chosen on purpose (services/contract/limits.py): 1 MiB for
            # topics without their own `max.message.bytes` (ours all set it, 2 MiB for the
            # dead letters), and fetches large enough for the largest of them.
            f"message.max.bytes={MAX_MESSAGE_BYTES}",
            f"replica.fetch.max.bytes={PRODUCER_MAX_REQUEST_BYTES}",
            "",
        ]
    )


def _cluster_id() -> str:
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()


def _configured_port(config: Path) -> int:
    for line in config.read_text().splitlines():
        if line.startswith("advertised.listeners="):
            return int(line.rsplit(":", 1)[1])
    raise ValueError(f"no advertised.listeners in {config}")


def _java_cmd(jars: Path, main: str, *args: str) -> list[str]:
    return [
        "java",
        *HEAP.split(),
        "-XX:+UseSerialGC",
        f"-Dlog4j2.configurationFile={LOG4J}",
        "-cp",
        f"{jars}/*",
        main,
        *args,
    ]


def start(data_dir: Path, *, port: int | None = None, partitions: int = 12) -> KafkaProcess:
    """Formats `data_dir` on first use; a restart on the same dir keeps data and port."""
    jars = ensure_jars()
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / "server.properties"
    if config.exists() and (data_dir / "logs" / "meta.properties").exists():
        port = _configured_port(config)
    else:
        port = port or free_port()
        config.write_text(_config(data_dir, port, free_port(), partitions))
        subprocess.run(
            _java_cmd(
                jars,
                "kafka.tools.StorageTool",
                "format",
                f"--cluster-id={_cluster_id()}",
                "-c",
                str(config),
            ),
            check=True,
            capture_output=True,
        )
    log_file = data_dir / "broker.log"
    proc = spawn(_java_cmd(jars, "kafka.Kafka", str(config)), log_file=log_file)
    bootstrap = f"127.0.0.1:{port}"
    try:
        wait_until(
            lambda: broker_answers(bootstrap),
            timeout=90,
            what="Kafka broker",
            alive=lambda: proc.poll() is None,
            log_file=log_file,
        )
    except BaseException:
        stop_group(proc.pid, grace=10)  # never leave a half-started broker behind
        raise
    return KafkaProcess(proc.pid, bootstrap, port, data_dir, log_file)


def broker_answers(bootstrap: str) -> bool:
    """True when the broker serves a metadata request (not merely an open port)."""
    from aiokafka.admin import AIOKafkaAdminClient

    if not port_open(int(bootstrap.rsplit(":", 1)[1])):
        return False  # not listening yet: skip the client, which would log every refusal

    async def probe() -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
        try:
            await admin.start()
            await admin.list_topics()
            return True
        except Exception:
            return False
        finally:
            with contextlib.suppress(Exception):
                await admin.close()

    return asyncio.run(probe())
