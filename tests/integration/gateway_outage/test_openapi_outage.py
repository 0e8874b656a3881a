"""503 as documented: a gateway on a PostgreSQL cluster of its own, which is then stopped.
Every operation whose OpenAPI entry lists 503 answers it (problem+json, Retry-After,
nothing done), and /readyz reports the outage with its documented body. The shared
PostgreSQL of the other tests is left alone."""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from deploy.local import postgres
from deploy.local.services import ServiceProcess, start_gateway
from services.gateway.webhooks.signature import sign
from tests.integration.gateway.openapi_cases import VALID
from tests.integration.gateway.openapi_check import check, documented
from tests.support.environment import ADMIN_TOKEN, WEBHOOK_VERIFIER, log_dir

pytestmark = pytest.mark.integration

WEBHOOK = "/v1/webhooks/quickbooks"


@pytest.fixture(scope="module")
def cluster() -> Iterator[postgres.PostgresCluster]:
    base = Path(tempfile.mkdtemp(prefix="sync-test-outage-pg-"))
    base.chmod(0o755)
    pg = postgres.start(base / "pg")
    yield pg
    pg.stop("immediate")
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def outage_gateway(
    cluster: postgres.PostgresCluster, service_env: dict[str, str]
) -> Iterator[ServiceProcess]:
    env = {
        **service_env,
        "DATABASE_URL": cluster.url,
        # Its own consumer group: it must not take partitions from the other gateways.
        "GATEWAY_GROUP_ID": f"openapi-outage-{uuid.uuid4().hex[:8]}",
    }
    gateway = start_gateway(log_dir(), env, name="gateway-outage")
    yield gateway
    gateway.stop()


@pytest.fixture
async def api(outage_gateway: ServiceProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=outage_gateway.url or "", timeout=30) as client:
        yield client


def _request(method: str, template: str) -> tuple[str, dict[str, str], bytes | None]:
    """A request that passes authentication and validation, so it reaches the database."""
    path = template.format(
        tenant_id="t-outage", batch_id=uuid.uuid4(), invoice_id="o-1",
        token_id=uuid.uuid4(), run_id=uuid.uuid4(),
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "content-type": "application/json"}
    body = VALID.get((method, template))
    content = None if body is None else json.dumps(body).encode()
    if template == WEBHOOK:
        content = json.dumps({"eventNotifications": [{"realmId": "4620816365000000001"}]}).encode()
        headers = {"intuit-signature": sign(WEBHOOK_VERIFIER, content)}
    if template == "/v1/ops/page-token":
        headers["Idempotency-Key"] = "outage"  # minting alone needs no database
    return path, headers, content


async def test_every_documented_503_is_answered_while_postgres_is_down(
    api: httpx.AsyncClient, cluster: postgres.PostgresCluster
) -> None:
    doc = (await api.get("/openapi.json")).json()
    assert (await api.get("/readyz")).status_code == 200
    cluster.stop("fast")
    wanted = sorted(op for op, statuses in documented(doc).items() if 503 in statuses)
    assert len(wanted) > 25, wanted
    answers: dict[tuple[str, str], int] = {}
    for method, template in wanted:
        path, headers, content = _request(method, template)
        response = await api.request(method.upper(), path, headers=headers, content=content)
        answers[(method, template)] = response.status_code
        if response.status_code == 503:
            check(doc, (method, template), response)
            assert response.headers["retry-after"].isdigit()
    assert {op: s for op, s in answers.items() if s != 503} == {}
    not_ready = (await api.get("/readyz")).json()
    assert not_ready["ready"] is False and not_ready["checks"]["postgres"].startswith("failed")
