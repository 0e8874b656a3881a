"""Push batches: send (with confirmation), follow, list invoices, retry the failed."""

from __future__ import annotations

from collections import Counter
from typing import Annotated
from uuid import UUID

import asyncpg
import structlog
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.contract.common import utc_now
from services.gateway.auth.dependencies import (
    CurrentPrincipal,
    refuse_page_tokens,
    require,
    require_batch_retry,
)
from services.gateway.auth.principal import Principal, Role
from services.gateway.batches import invoice_rows
from services.gateway.batches import repository as repo
from services.gateway.batches.cursor import decode_cursor, encode_cursor
from services.gateway.batches.dry_run import LIMITATIONS, is_blocking
from services.gateway.batches.model import OVERWRITE_WARNING, BatchRow, InvoiceStatus
from services.gateway.batches.preflight import preflight
from services.gateway.batches.schemas import (
    BatchInvoicePage,
    BatchProgress,
    DryRunFinding,
    DryRunReport,
    PageToken,
    PushAccepted,
    PushBatchRequest,
    RetryFailedRequest,
)
from services.gateway.batches.service import submit_batch
from services.gateway.batches.views import invoice_body, progress_body
from services.gateway.connections.gate import ensure_connected
from services.gateway.http.confirmation import confirmation_problem, push_route
from services.gateway.http.deps import DbPool, LinkBuilder
from services.gateway.http.etag import NOT_MODIFIED_RESPONSE, conditional_json
from services.gateway.http.links import Links
from services.gateway.http.lookup import one_or_404
from services.gateway.http.paging import Paging
from services.gateway.http.params import BatchId, TenantId
from services.gateway.http.problems import Problem

router = APIRouter(prefix="/v1/tenants/{tenant_id}/push-batches", tags=["push batches"])
log = structlog.get_logger(__name__)


async def _accepted(
    pool: asyncpg.Pool,
    links: Links,
    response: Response,
    principal: Principal,
    tenant_id: str,
    invoice_ids: list[str],
    requested_by: str | None,
    retry_of: UUID | None = None,
) -> PushAccepted:
    batch_id = await submit_batch(
        pool,
        tenant_id=tenant_id,
        invoice_ids=invoice_ids,
        requested_by=requested_by or principal.label,
        principal=principal.label,
        retry_of=retry_of,
    )
    # The ids let an operator follow any invoice from this request to the worker's result.
    log.info(
        "push_batch_accepted",
        tenant_id=tenant_id,
        batch_id=str(batch_id),
        invoice_ids=invoice_ids,
        retry_of=str(retry_of) if retry_of is not None else None,
    )
    accepted = links.accepted_batch(principal, tenant_id, batch_id, len(invoice_ids), retry_of)
    response.headers["Location"] = accepted.links.status
    return accepted


@router.post(
    "",
    **push_route(
        "`not_connected`: nothing was sent.",
        {200: {"model": DryRunReport, "description": "`dry_run: true`: the pre-flight report."}},
    ),
)
async def push_batch(
    tenant_id: TenantId,
    body: PushBatchRequest,
    response: Response,
    principal: CurrentPrincipal,
    pool: DbPool,
    links: LinkBuilder,
) -> PushAccepted | JSONResponse:
    """Send invoices to QuickBooks (the "Send to QuickBooks" batch action).

    Without `confirm_overwrite: true` nothing happens and the answer is 428 with the
    overwrite warning. With it, the batch is recorded and `push.requested` published
    (atomically, via the outbox); follow it with the returned links.
    """
    if body.dry_run:
        require(principal, tenant_id, Role.READ)
        await ensure_connected(pool, tenant_id, links.base_url)
        report = await _dry_run(pool, tenant_id, body.invoice_ids)
        return JSONResponse(report.model_dump(mode="json"))
    require(principal, tenant_id, Role.PUSH)
    await ensure_connected(pool, tenant_id, links.base_url)
    if not body.confirm_overwrite:
        raise confirmation_problem()
    return await _accepted(
        pool, links, response, principal, tenant_id, body.invoice_ids, body.requested_by
    )


async def _dry_run(pool: asyncpg.Pool, tenant_id: str, invoice_ids: list[str]) -> DryRunReport:
    findings = await preflight(pool, tenant_id, invoice_ids)
    return DryRunReport(
        tenant_id=tenant_id,
        invoice_count=len(invoice_ids),
        warning=OVERWRITE_WARNING,
        ready=not any(is_blocking(f) for f in findings),
        findings=[
            DryRunFinding(
                invoice_id=f.invoice_id,
                kind=f.kind.value,
                blocking=is_blocking(f),
                message=f.message,
                batch_id=f.batch_id,
                external_number=f.external_number,
                details=dict(f.details) if f.details else None,
            )
            for f in findings
        ],
        summary=dict(Counter(f.kind.value for f in findings)),
        limitations=LIMITATIONS,
    )


async def _load_batch(pool: asyncpg.Pool, tenant_id: str, batch_id: UUID) -> BatchRow:
    return await one_or_404(
        pool, lambda conn: repo.get_batch(conn, tenant_id, batch_id), f"batch {batch_id}"
    )


@router.get("/{batch_id}", response_model=BatchProgress, responses=NOT_MODIFIED_RESPONSE)
async def batch_progress(
    tenant_id: TenantId,
    batch_id: BatchId,
    request: Request,
    principal: CurrentPrincipal,
    pool: DbPool,
) -> Response:
    """State, counts, times and (while running) an ETA from the observed result rate.

    Answers carry an `ETag`; send it back as `If-None-Match` to get 304 while nothing changed.
    """
    require(principal, tenant_id, Role.READ, batch_id)
    row = await _load_batch(pool, tenant_id, batch_id)
    return conditional_json(request, progress_body(row, utc_now()))


@router.get("/{batch_id}/invoices", response_model=BatchInvoicePage)
async def batch_invoices(
    tenant_id: TenantId,
    batch_id: BatchId,
    principal: CurrentPrincipal,
    pool: DbPool,
    page: Paging,
    status: Annotated[InvoiceStatus | None, Query(description="Only this status.")] = None,
) -> BatchInvoicePage:
    """The batch's invoices in request order, `limit` at a time (keyset pagination)."""
    require(principal, tenant_id, Role.READ, batch_id)
    await _load_batch(pool, tenant_id, batch_id)
    rows, next_cursor = await page.read(
        pool,
        decode_cursor,
        lambda conn, after, limit: invoice_rows.list_invoices(
            conn, batch_id, status=status, after=after, limit=limit
        ),
        lambda r: encode_cursor(r["position"], r["invoice_id"]),
    )
    return BatchInvoicePage(items=[invoice_body(r) for r in rows], next_cursor=next_cursor)


@router.post("/{batch_id}/retry-failed", **push_route("No failed invoices, or `not_connected`."))
async def retry_failed(
    tenant_id: TenantId,
    batch_id: BatchId,
    body: RetryFailedRequest,
    response: Response,
    principal: CurrentPrincipal,
    pool: DbPool,
    links: LinkBuilder,
) -> PushAccepted:
    """Send the batch's failed invoices again, as a new batch (same confirmation rule)."""
    require_batch_retry(principal, tenant_id, batch_id)
    await _load_batch(pool, tenant_id, batch_id)
    await ensure_connected(pool, tenant_id, links.base_url)
    async with pool.acquire() as conn:
        failed = await invoice_rows.failed_invoice_ids(conn, batch_id)
    if not failed:
        raise Problem(
            409,
            "Nothing to retry",
            "The batch has no failed invoices.",
            type_="urn:mediaos-sync:problem:no-failed-invoices",
        )
    if not body.confirm_overwrite:
        raise confirmation_problem()
    return await _accepted(
        pool, links, response, principal, tenant_id, failed, body.requested_by, retry_of=batch_id
    )


@router.post("/{batch_id}/page-token", status_code=201, response_model=PageToken)
async def batch_page_token(
    tenant_id: TenantId,
    batch_id: BatchId,
    principal: CurrentPrincipal,
    pool: DbPool,
    links: LinkBuilder,
) -> PageToken:
    """A short-lived token (and page URL) for the progress window of this batch only.

    `EventSource` cannot send headers, so the page passes it as `?access_token=`.
    """
    refuse_page_tokens(principal)
    require(principal, tenant_id, Role.READ, batch_id)
    await _load_batch(pool, tenant_id, batch_id)
    return links.page_token(principal, tenant_id, batch_id)
