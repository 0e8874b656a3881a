"""Reads a tenant's invoices from QuickBooks in pages of up to 1,000: first every invoice
whose DocNumber carries the tenant's prefix, then, by `Id IN (...)`, the ledger's invoices
that query did not return (no prefix, a renumbered or deleted invoice)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
from pydantic import ValidationError

from services.sync_worker.quickbooks import Invoice, QuickBooksClient, QuickBooksService
from services.sync_worker.quickbooks.metrics import MetricsHook, RequestMetric
from services.sync_worker.quickbooks.queries import in_list, quote
from services.sync_worker.quickbooks.tokens import TokenProvider
from services.sync_worker.quickbooks.transport import RequestExecutor

from .domain.model import QuickBooksInvoice, QuickBooksLine
from .pacer import ShareLimitedLimiter

# Ids per `Id IN (...)` query: a full QuickBooks page. Such a statement (~15 KB) is too long
# for a URL, so the client sends it as a POST body.
IDS_PER_QUERY = 1000


def background_client(
    service: QuickBooksService,
    pool: asyncpg.Pool,
    http: httpx.AsyncClient,
    *,
    tenant_id: str,
    realm_id: str,
    share: float,
    on_request: Callable[[RequestMetric], None],
    metrics: MetricsHook | None = None,
) -> QuickBooksClient:
    """The usual client, whose every request also waits for the reconciliation's share."""

    def hook(metric: RequestMetric) -> None:
        on_request(metric)
        if metrics is not None:
            metrics(metric)

    limiter = ShareLimitedLimiter(service.rate_gate, pool, service.config, share)
    tokens = TokenProvider(service.connections, pool, http, service.config)
    executor = RequestExecutor(service.config, http, tokens, limiter, hook)
    return QuickBooksClient(executor, service.config, tenant_id=tenant_id, realm_id=realm_id)


async def read_invoices(
    client: QuickBooksClient, prefix: str | None, ledger_ids: Iterable[str]
) -> list[QuickBooksInvoice]:
    found: dict[str, QuickBooksInvoice] = {}
    if prefix:
        statement = f"select * from Invoice where DocNumber like {quote(prefix + '%')}"
        rows = await client.query(statement, "Invoice", endpoint="invoice.query")
        await asyncio.to_thread(_keep_all, found, rows)
    rest = [i for i in dict.fromkeys(ledger_ids) if i not in found]
    for start in range(0, len(rest), IDS_PER_QUERY):
        chunk = rest[start : start + IDS_PER_QUERY]
        statement = f"select * from Invoice where Id in {in_list(chunk)}"
        rows = await client.query(
            statement, "Invoice", endpoint="invoice.query", at_most=len(chunk)
        )
        await asyncio.to_thread(_keep_all, found, rows)
    return list(found.values())


def _keep_all(found: dict[str, QuickBooksInvoice], rows: list[Any]) -> None:
    """Runs in a thread: validating a thousand invoices would hold up the event loop."""
    for raw in rows:
        _keep(found, raw)


def _keep(found: dict[str, QuickBooksInvoice], raw: object) -> None:
    try:
        invoice = Invoice.model_validate(raw)
    except ValidationError:
        return  # not an invoice this service could have written
    if invoice.id is not None:
        found[invoice.id] = as_compared(invoice)


def as_compared(invoice: Invoice) -> QuickBooksInvoice:
    assert invoice.id is not None
    lines = tuple(
        QuickBooksLine(
            item_id=ln.sales_item_line_detail.item_ref.value if ln.sales_item_line_detail else None,
            quantity=ln.sales_item_line_detail.qty if ln.sales_item_line_detail else None,
            unit_price=ln.sales_item_line_detail.unit_price if ln.sales_item_line_detail else None,
            amount=ln.amount,
            description=ln.description,
        )
        for ln in invoice.sales_lines
    )
    total = invoice.total_amt
    if total is None:
        total = sum((ln.amount for ln in lines), Decimal("0"))
    note = invoice.private_note or ""
    return QuickBooksInvoice(
        id=invoice.id,
        sync_token=invoice.sync_token,
        doc_number=invoice.doc_number,
        customer_id=invoice.customer_ref.value,
        customer_name=invoice.customer_ref.name,
        txn_date=invoice.txn_date,
        due_date=invoice.due_date,
        total=total,
        memo=invoice.customer_memo.value if invoice.customer_memo else None,
        private_note=invoice.private_note,
        lines=lines,
        # QuickBooks zeroes a voided invoice and prepends "Voided" to its private note.
        voided=note.startswith("Voided") and total == 0,
    )
