"""Corrective action: after QuickBooks rejects an invoice, the user fixes the cause and sends
again, and the correction is what QuickBooks gets (never a replay of the rejected request),
still exactly once. Each QuickBooks validation fault, in One-Way Push (re-sent by a push)
and two-way mode (re-sent by the next MediaOS version), on the package's one stack."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest

from services.contract.invoices import InvoiceCreated, InvoiceUpdated
from tests.e2e.sync.conftest import Company
from tests.support import tenants
from tests.support.factories import invoice_snapshot
from tests.support.kafka import Record, TopicReader
from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.e2e


@dataclass
class Resend:
    """Sends invoice versions as the user would in one mode and reads their results."""

    company: Company
    sandbox: SandboxAdmin
    results: TopicReader
    bootstrap: str
    pool: asyncpg.Pool
    push_mode: bool

    @property
    def tenant(self) -> str:
        return self.company.tenant_id

    async def admin(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self.sandbox.call(method, f"realms/{self.company.realm_id}/{path}", body)

    async def send(self, **snapshot: Any) -> dict[str, Any]:
        """Sends this version of the invoice (and pushes it in push mode): its result."""
        invoice = invoice_snapshot(**snapshot)
        event_type = InvoiceCreated if invoice.version == 1 else InvoiceUpdated
        await tenants.publish_invoices(
            self.bootstrap, self.pool, [event_type(tenant_id=self.tenant, invoice=invoice)]
        )
        if not self.push_mode:
            return await self._result(
                lambda b: (
                    b["invoice_id"] == invoice.invoice_id
                    and b["invoice_version"] == invoice.version
                    and b["event_type"] != "invoice.sync.skipped"
                )
            )
        batch_id = await tenants.push(self.bootstrap, self.tenant, [invoice.invoice_id])
        return await self._result(lambda b: b.get("batch_id") == str(batch_id))

    async def _result(self, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        def predicate(record: Record) -> bool:
            body = record.json()
            return bool(body["tenant_id"] == self.tenant and match(body))

        [record] = await self.results.wait_for(predicate, timeout=60)
        body: dict[str, Any] = record.json()
        return body

    async def ours(self, invoice_id: str) -> list[dict[str, Any]]:
        """The live QuickBooks invoices made for this MediaOS invoice."""
        return [
            i
            for i in await self.sandbox.live_invoices(self.company.realm_id)
            if str(i.get("PrivateNote", "")).endswith(f"MediaOS invoice {invoice_id}")
        ]


Fix = Callable[[Resend], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Case:
    code: str
    arrange: Fix  # breaks something; returns the first version's snapshot arguments
    fix: Fix  # repairs it; returns what changes in the re-sent version
    check: Callable[[dict[str, Any], Resend], None]  # the QuickBooks invoice is the corrected one


async def _taken_number(ctx: Resend) -> dict[str, Any]:
    number = str(uuid.uuid4().int % 10**8)
    other = await ctx.send(invoice_id=f"inv-{uuid.uuid4().hex[:8]}", number=number)
    assert other["event_type"] == "invoice.sync.succeeded"
    return {"number": number}


async def _set_prefix(ctx: Resend) -> dict[str, Any]:
    await tenants.change_settings(ctx.bootstrap, ctx.pool, ctx.tenant, invoice_number_prefix="M-")
    return {}


async def _inactive_item(ctx: Resend) -> dict[str, Any]:
    made = await ctx.admin("POST", "items", {"name": "Retired Ad", "unit_price": "100.00"})
    retired = made["Item"]["Id"]
    await ctx.admin("PATCH", f"items/{retired}", {"active": False})
    await tenants.map_products(ctx.bootstrap, ctx.pool, ctx.tenant, {"P-3": retired})
    return {"products": ("P-3",)}


async def _remap(ctx: Resend) -> dict[str, Any]:
    active = ctx.company.items["Display Ad"]
    await tenants.map_products(ctx.bootstrap, ctx.pool, ctx.tenant, {"P-3": active})
    return {}


async def _inactive_customer(ctx: Resend) -> dict[str, Any]:
    first = await ctx.send(customer="Brief Customer")
    assert first["event_type"] == "invoice.sync.succeeded"
    [made] = await ctx.ours(first["invoice_id"])
    await ctx.admin("PATCH", f"customers/{made['CustomerRef']['value']}", {"active": False})
    return {"customer": "Brief Customer"}


async def _reactivate_customer(ctx: Resend) -> dict[str, Any]:
    invoices = await ctx.sandbox.live_invoices(ctx.company.realm_id)
    for customer_id in {i["CustomerRef"]["value"] for i in invoices}:
        await ctx.admin("PATCH", f"customers/{customer_id}", {"active": True})
    return {}


async def _blank_customer_name(ctx: Resend) -> dict[str, Any]:
    return {"customer": "   "}


async def _named_customer(ctx: Resend) -> dict[str, Any]:
    return {"customer": "Named Customer", "version": 2}


def _prefixed(qbo: dict[str, Any], ctx: Resend) -> None:
    assert qbo["DocNumber"].startswith("M-")


def _active_item(qbo: dict[str, Any], ctx: Resend) -> None:
    [line] = [ln for ln in qbo["Line"] if ln.get("DetailType") == "SalesItemLineDetail"]
    assert line["SalesItemLineDetail"]["ItemRef"]["value"] == ctx.company.items["Display Ad"]


def _any_customer(qbo: dict[str, Any], ctx: Resend) -> None:
    assert qbo["CustomerRef"]["value"]


def _named(qbo: dict[str, Any], ctx: Resend) -> None:
    assert qbo["CustomerRef"]["name"] == "Named Customer"


CASES = {
    "duplicate-number": Case("QBO_DUPLICATE_NUMBER", _taken_number, _set_prefix, _prefixed),
    "inactive-item": Case("QBO_INVALID_REFERENCE", _inactive_item, _remap, _active_item),
    "inactive-customer": Case(
        "QBO_INVALID_REFERENCE", _inactive_customer, _reactivate_customer, _any_customer
    ),
    "required-field": Case("QBO_VALIDATION", _blank_customer_name, _named_customer, _named),
}


@pytest.fixture(params=["push", "two-way"])
async def resend(
    request: pytest.FixtureRequest,
    company: Company,
    sandbox: SandboxAdmin,
    results: TopicReader,
    kafka_bootstrap_servers: str,
    worker_pg_pool: asyncpg.Pool,
) -> Resend:
    push_mode = request.param == "push"
    if push_mode:
        await tenants.change_settings(
            kafka_bootstrap_servers, worker_pg_pool, company.tenant_id, manual_push=True
        )
    return Resend(company, sandbox, results, kafka_bootstrap_servers, worker_pg_pool, push_mode)


async def _fail_then_fix(resend: Resend, case: Case) -> dict[str, Any]:
    """Sends a broken invoice, checks the rejection, repairs the cause: the re-send's args."""
    invoice_id = f"inv-{uuid.uuid4().hex[:8]}"
    snapshot = {"invoice_id": invoice_id, **await case.arrange(resend)}
    first = await resend.send(**snapshot)
    assert first["event_type"] == "invoice.sync.failed", first
    assert first["error"]["code"] == case.code
    message = first["error"]["message"]
    sentences = [s.strip() for s in message.split(". ") if s.strip()]
    assert len(sentences) == len(set(sentences)), message  # each thing said once
    assert await resend.ours(invoice_id) == []
    changed = await case.fix(resend)
    # Two-way: the next MediaOS version carries the correction by itself.
    version = changed.pop("version", 1 if resend.push_mode else 2)
    return {**snapshot, **changed, "version": version}


@pytest.mark.parametrize("case_name", list(CASES))
async def test_corrected_invoice_is_sent_once_after_a_rejection(
    resend: Resend, case_name: str
) -> None:
    case = CASES[case_name]
    again = await _fail_then_fix(resend, case)
    second = await resend.send(**again)
    assert second["event_type"] == "invoice.sync.succeeded", second
    [qbo] = await resend.ours(again["invoice_id"])
    assert qbo["Id"] == second["external_id"]
    case.check(qbo, resend)


async def test_timeout_after_commit_during_the_corrected_resend_still_makes_one(
    resend: Resend,
) -> None:
    case = CASES["duplicate-number"]
    again = await _fail_then_fix(resend, case)
    await resend.sandbox.add_fault(
        resend.company.realm_id,
        kind="drop_after_commit",
        endpoint="invoice.create",
        hang_seconds=5,
    )
    second = await resend.send(**again)
    assert second["event_type"] == "invoice.sync.succeeded", second
    [qbo] = await resend.ours(again["invoice_id"])
    assert qbo["Id"] == second["external_id"]
    case.check(qbo, resend)
