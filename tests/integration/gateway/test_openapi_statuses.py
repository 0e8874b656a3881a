"""Every status the OpenAPI document lists, for every operation, is produced here by a real
request to a real gateway (real Kafka and PostgreSQL behind it) and checked against the
document: content type, headers and body schema. 503 is in tests/integration/gateway_outage.
A status added to the document without a case here fails the last assertion."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from services.gateway.idempotency import repository as idempotency
from services.gateway.idempotency.model import caller_id, fingerprint
from services.platform.postgres import create_pool
from tests.integration.gateway.openapi_cases import Case, cases_for
from tests.integration.gateway.openapi_check import Operation, check, documented
from tests.integration.gateway.openapi_world import World, build_world

pytestmark = pytest.mark.integration


@pytest.fixture
async def gateway_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, "gateway", max_size=2)
    yield pool
    await pool.close()


async def _reserve(pool: asyncpg.Pool, case: Case, world: World, key: str) -> None:
    """Takes the key as a request still being served would (same request: 409), or as a
    different request did (422)."""
    credential = world.bearer(case.token)["Authorization"]
    same = fingerprint("POST", case.url(world), b"", case.payload() or b"")
    async with pool.acquire() as conn:
        taken = await idempotency.reserve(
            conn, caller_id(credential), key, same if case.reserve == "same" else "another"
        )
    assert taken


@contextlib.asynccontextmanager
async def _answer(
    client: httpx.AsyncClient, pool: asyncpg.Pool, case: Case, world: World
) -> AsyncIterator[httpx.Response]:
    headers = {**world.bearer(case.token), **case.headers}
    if case.payload() is not None:
        headers.setdefault("content-type", "application/json")
    if case.reserve:
        headers["Idempotency-Key"] = f"taken-{id(case)}"
        await _reserve(pool, case, world, headers["Idempotency-Key"])
    if headers.get("If-None-Match") == "<etag>":
        first = await client.get(case.url(world), headers=world.bearer(case.token))
        headers["If-None-Match"] = first.headers["etag"]
    method = case.op[0].upper()
    if case.stream:
        async with client.stream(method, case.url(world), headers=headers) as response:
            yield response
        return
    for _ in range(5):  # a 413 may close the connection before the client sent it all
        try:
            yield await client.request(
                method, case.url(world), content=case.payload(), headers=headers
            )
            return
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
            continue
    raise AssertionError(f"{case.op}: never read an answer")


async def test_every_documented_status_is_a_real_answer(
    client: httpx.AsyncClient, gateway_pool: asyncpg.Pool, kafka_bootstrap_servers: str
) -> None:
    doc = (await client.get("/openapi.json")).json()
    listed = documented(doc)
    world = await build_world(client, kafka_bootstrap_servers)
    seen: dict[Operation, set[int]] = {op: set() for op in listed}
    wrong = []
    for case in cases_for(listed, world):
        async with _answer(client, gateway_pool, case, world) as response:
            if response.status_code != case.status:
                await response.aread()
                wrong.append(f"{case.op} {case.token}: {response.status_code} "
                             f"(wanted {case.status}) {response.text[:160]}")  # fmt: skip
                continue
            check(doc, case.op, response)
            seen[case.op].add(response.status_code)
    assert not wrong, "\n".join(wrong)
    missing = {op: sorted(s - seen[op] - {503}) for op, s in listed.items() if s - seen[op] - {503}}
    assert not missing, f"documented but never answered: {missing}"
