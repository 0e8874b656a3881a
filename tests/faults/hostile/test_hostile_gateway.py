"""The gateway against hostile HTTP: huge chunked bodies, NUL and odd ids, a database that
stops mid-call, and a leaked progress-window URL trying every route. Each answer is a 4xx or
503 problem+json, the gateway's memory stays flat, and another tenant's push completes."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.faults.hostile.checks import bystander_push_completes, problem, rss_kib
from tests.faults.hostile.conftest import Stack
from tests.faults.report import ROWS, ScenarioRow
from tests.support import tenants
from tests.support.factories import invoice_created
from tests.support.infrastructure import Service

pytestmark = pytest.mark.faults

CHUNK = b"x" * (1 << 18)


async def _chunked_post(url: str, path: str, chunks: int) -> int | None:
    """Streams a chunked body of `chunks` x 256 KiB without a token; the status the server
    answered with (it may answer and close long before the body ends)."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n".encode()
    )
    status: int | None = None

    async def read_status() -> None:
        nonlocal status
        with contextlib.suppress(ConnectionError, OSError):
            line = await reader.readline()
            if line.startswith(b"HTTP/1.1 "):
                status = int(line.split()[1])

    answer = asyncio.create_task(read_status())
    try:
        for _ in range(chunks):
            if answer.done():
                break
            writer.write(b"%x\r\n" % len(CHUNK) + CHUNK + b"\r\n")
            await writer.drain()
            await asyncio.sleep(0.005)  # let the answer be read as soon as it is sent
        else:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    with contextlib.suppress(TimeoutError, ConnectionError, OSError):
        await asyncio.wait_for(answer, 30)
    writer.close()
    return status


async def test_chunked_200mb_bodies_are_refused_without_growing_memory(stack: Stack) -> None:
    pid = stack.gateway.pid
    peak_before = rss_kib(pid, "VmHWM")
    statuses = [
        await _chunked_post(stack.gateway.url, f"/v1/tenants/{stack.bystander}/push-batches", 800),
        await _chunked_post(stack.gateway.url, "/v1/webhooks/quickbooks", 800),
    ]
    growth_mib = (rss_kib(pid, "VmHWM") - peak_before) / 1024
    bystander_ok = await bystander_push_completes(stack)
    ok = statuses == [413, 413] and growth_mib < 20 and bystander_ok
    ROWS.append(
        ScenarioRow(
            scenario="chunked 200 MB POSTs, no token (push, webhook)",
            units=2,
            disruptions="2 x 200 MiB chunked",
            results=len([s for s in statuses if s == 413]),
            lost=0,
            duplicates=0,
            extra=f"statuses={statuses}; peak RSS growth {growth_mib:.1f} MiB",
            passed=ok,
        )
    )
    assert statuses == [413, 413]
    assert growth_mib < 20, f"gateway peak RSS grew {growth_mib:.1f} MiB"
    assert bystander_ok


async def test_nul_and_odd_ids_get_precise_422s(stack: Stack) -> None:
    t = stack.bystander
    push = f"/v1/tenants/{t}/push-batches"
    cases: dict[str, tuple[str, str, dict[str, Any] | None, str]] = {
        "NUL in an invoice id": ("POST", push, {"invoice_ids": ["a\u0000b"]}, "invoice_ids"),
        "NUL in requested_by": (
            "POST",
            push,
            {"invoice_ids": ["a"], "requested_by": "x\u0000", "confirm_overwrite": True},
            "requested_by",
        ),
        "lone surrogate id": ("POST", push, {"raw": '{"invoice_ids": ["\\ud800"]}'}, "invoice_ids"),
        "NUL in the tenant path": ("GET", "/v1/tenants/a%00b/push-batches", None, "tenant_id"),
        "tenant `..`": ("GET", "/v1/tenants/%2E%2E/push-batches", None, "tenant_id"),
        "tenant `.`": ("GET", "/v1/tenants/%2E/quickbooks-connection", None, "tenant_id"),
        "NUL in an invoice path": (
            "GET",
            f"/v1/tenants/{t}/invoices/a%00b/sync-status",
            None,
            "invoice_id",
        ),
    }
    answers = {}
    for name, (method, path, body, field) in cases.items():
        if body is not None and "raw" in body:
            response = await stack.api.request(
                method, path, content=body["raw"], headers={"content-type": "application/json"}
            )
        else:
            response = await stack.api.request(method, path, json=body)
        answers[name] = (response.status_code, field in problem(response)["detail"])
    bystander_ok = await bystander_push_completes(stack)
    ok = all(a == (422, True) for a in answers.values()) and bystander_ok
    ROWS.append(
        ScenarioRow(
            scenario="NUL, lone surrogates, `.`/`..` tenant ids",
            units=len(cases),
            disruptions="7 odd requests",
            results=sum(a == (422, True) for a in answers.values()),
            lost=0,
            duplicates=0,
            extra="all 422 naming the field" if ok else str(answers),
            passed=ok,
        )
    )
    assert all(a == (422, True) for a in answers.values()), answers
    assert bystander_ok


async def test_postgres_stopped_during_api_calls_answers_503(
    stack: Stack, postgres_service: Service
) -> None:
    assert postgres_service.restart is not None, "needs the project's own PostgreSQL"
    statuses: list[tuple[int, bool, bool]] = []
    restart = asyncio.create_task(asyncio.to_thread(postgres_service.restart))
    calls = [
        ("GET", f"/v1/tenants/{stack.bystander}/push-batches"),
        ("GET", f"/v1/tenants/{stack.bystander}/invoices"),
        ("GET", f"/v1/tenants/{stack.bystander}/quickbooks-connection"),
    ]
    while not restart.done():
        for method, path in calls:
            response = await stack.api.request(method, path)
            problem_json = response.headers.get("content-type", "").startswith(
                "application/problem+json"
            )
            statuses.append((response.status_code, problem_json, "retry-after" in response.headers))
        await asyncio.sleep(0.1)
    await restart
    unavailable = [s for s in statuses if s[0] == 503]
    bad = [s for s in statuses if s[0] >= 500 and s != (503, True, True)]
    bystander_ok = await _eventually(lambda: bystander_push_completes(stack))
    ok = bool(unavailable) and not bad and bystander_ok
    ROWS.append(
        ScenarioRow(
            scenario="PostgreSQL stopped during API calls",
            units=len(statuses),
            disruptions="1 PostgreSQL restart",
            results=len(unavailable),
            lost=0,
            duplicates=0,
            extra=f"503+Retry-After={len(unavailable)}, other 5xx={len(bad)}",
            passed=ok,
        )
    )
    assert unavailable, "no call landed while PostgreSQL was down"
    assert not bad, bad
    assert bystander_ok


async def _eventually(check: Any, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return bool(await check())
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1)


async def test_a_leaked_page_token_reads_its_batch_and_retries_only_it(stack: Stack) -> None:
    t = stack.bystander
    good = invoice_created(t)
    unmapped = invoice_created(t, products=("P-UNMAPPED",))
    await tenants.publish_invoices(stack.bootstrap, stack.pool, [good, unmapped])
    accepted = await stack.api.post(
        f"/v1/tenants/{t}/push-batches",
        json={
            "invoice_ids": [good.invoice.invoice_id, unmapped.invoice.invoice_id],
            "confirm_overwrite": True,
        },
    )
    assert accepted.status_code == 202, accepted.text
    batch = accepted.json()["batch_id"]
    status_url = accepted.json()["links"]["status"]
    deadline = time.monotonic() + 90
    while (await stack.api.get(status_url)).json()["state"] == "running" or (
        await stack.api.get(status_url)
    ).json()["counts"]["failed"] < 1:
        assert time.monotonic() < deadline, "the batch never settled"
        await asyncio.sleep(0.5)
    token = accepted.json()["links"]["page"].split("access_token=")[1]
    openapi = (await stack.api.get("/openapi.json")).json()
    allowed = {
        ("get", "/v1/tenants/{tenant_id}/push-batches/{batch_id}"),
        ("get", "/v1/tenants/{tenant_id}/push-batches/{batch_id}/invoices"),
        ("get", "/v1/tenants/{tenant_id}/push-batches/{batch_id}/events"),
        ("post", "/v1/tenants/{tenant_id}/push-batches/{batch_id}/retry-failed"),
    }
    outcomes: dict[tuple[str, str], int] = {}
    public = set()
    for template, operations in openapi["paths"].items():
        for method in operations:
            path = _fill(template, tenant=t, batch=batch)
            body = {"confirm_overwrite": True} if path.endswith("retry-failed") else None
            outcomes[(method, template)] = await _try(stack, method, path, token, body)
            if 200 <= await _try(stack, method, path, None, body) < 300:
                public.add((method, template))  # answers anyone: health, page shells
    leaks = {k: v for k, v in outcomes.items() if 200 <= v < 300 and k not in allowed | public}
    minted = await _try(
        stack, "post", f"/v1/tenants/{t}/push-batches/{batch}/page-token", token, body={}
    )
    own_reads = [outcomes[k] for k in sorted(allowed) if k[0] == "get"]
    retry = outcomes[("post", "/v1/tenants/{tenant_id}/push-batches/{batch_id}/retry-failed")]
    nobody = "00000000-0000-0000-0000-000000000000"
    other_batch = await _try(stack, "get", f"/v1/tenants/{t}/push-batches/{nobody}", token)
    bystander_ok = await bystander_push_completes(stack)
    ok = (
        not leaks
        and minted == 403
        and all(s == 200 for s in own_reads)
        and retry == 202
        and other_batch == 404
        and bystander_ok
    )
    ROWS.append(
        ScenarioRow(
            scenario="leaked page token tries every route",
            units=len(outcomes),
            disruptions=f"{len(outcomes)} routes x 1 token",
            results=len(outcomes) - len(leaks),
            lost=0,
            duplicates=0,
            extra=f"leaks={len(leaks)}, mint={minted}, retry own batch={retry}",
            passed=ok,
        )
    )
    assert not leaks, leaks
    assert minted == 403
    assert all(s == 200 for s in own_reads), own_reads
    assert retry == 202
    assert other_batch == 404
    assert bystander_ok


def _fill(template: str, *, tenant: str, batch: str) -> str:
    values = {
        "tenant_id": tenant,
        "batch_id": batch,
        "invoice_id": "inv-x",
        "token_id": "00000000-0000-0000-0000-000000000001",
        "reconciliation_id": "00000000-0000-0000-0000-000000000002",
    }
    path = template
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


async def _try(
    stack: Stack, method: str, path: str, token: str | None, body: dict[str, Any] | None = None
) -> int:
    """Status of one call with only the page token (as `access_token` and as Bearer), or
    with no credentials at all when `token` is None."""
    payload = body if body is not None else {"confirm_overwrite": True, "invoice_ids": ["a"]}
    statuses = []
    ways = (
        [
            ({"Authorization": ""}, {"access_token": token}),
            ({"Authorization": f"Bearer {token}"}, {}),
        ]
        if token
        else [({"Authorization": ""}, {})]
    )
    for headers, params in ways:
        request = stack.api.build_request(
            method.upper(),
            path,
            params=params,
            headers=headers,
            json=payload if method in ("post", "put", "patch") else None,
        )
        response = await stack.api.send(request, stream=True)
        statuses.append(response.status_code)
        await response.aclose()
    return max(statuses, key=lambda s: 200 <= s < 300)
