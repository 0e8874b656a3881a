"""The error inbox: every invoice's latest state, filtered and paged; retry by ids or filter."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.contract.push import MAX_BATCH_SIZE
from services.gateway.auth.dependencies import CurrentPrincipal, require
from services.gateway.auth.principal import Role
from services.gateway.batches.cursor import decode_time_cursor, encode_time_cursor
from services.gateway.batches.model import InvoiceStatus
from services.gateway.batches.schemas import PushAccepted
from services.gateway.batches.service import submit_batch
from services.gateway.connections.gate import ensure_connected
from services.gateway.http.confirmation import confirmation_problem, push_route
from services.gateway.http.deps import DbPool, LinkBuilder
from services.gateway.http.paging import Paging
from services.gateway.http.params import TenantId
from services.gateway.http.problems import Problem
from services.gateway.inbox import repository
from services.gateway.inbox.model import InboxFilter
from services.gateway.inbox.schemas import InboxPage, InboxRetryRequest, TriggerName
from services.gateway.inbox.views import inbox_item

router = APIRouter(prefix="/v1/tenants/{tenant_id}/invoices", tags=["invoices"])


@router.get("", response_model=InboxPage)
async def inbox(
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    pool: DbPool,
    page: Paging,
    status: Annotated[InvoiceStatus | None, Query(description="Only this state.")] = None,
    code: Annotated[str | None, Query(max_length=64, description="Error code.")] = None,
    trigger: Annotated[TriggerName | None, Query(description="auto or push.")] = None,
    updated_since: Annotated[datetime | None, Query(description="RFC 3339.")] = None,
) -> InboxPage:
    """The latest state of every invoice the service reported on (pushes and two-way sync),
    newest first, `limit` at a time (keyset pagination)."""
    require(principal, tenant_id, Role.READ)
    if updated_since is not None and updated_since.tzinfo is None:
        raise Problem(422, "Invalid request", "updated_since: needs a UTC offset (RFC 3339).")
    flt = InboxFilter(status=status, code=code, trigger=trigger, updated_since=updated_since)
    rows, next_cursor = await page.read(
        pool,
        decode_time_cursor,
        lambda conn, after, limit: repository.list_entries(
            conn, tenant_id, flt, after=after, limit=limit
        ),
        lambda e: encode_time_cursor(e.state_at, e.invoice_id),
    )
    return InboxPage(items=[inbox_item(e) for e in rows], next_cursor=next_cursor)


async def _selected_ids(pool: DbPool, tenant_id: str, body: InboxRetryRequest) -> list[str]:
    if body.invoice_ids is not None:
        return list(body.invoice_ids)
    assert body.filter is not None
    f = body.filter
    flt = InboxFilter(f.status, f.code, f.trigger, f.updated_since)
    async with pool.acquire() as conn:
        ids = await repository.matching_ids(conn, tenant_id, flt, MAX_BATCH_SIZE + 1)
    if len(ids) > MAX_BATCH_SIZE:
        raise Problem(
            422,
            "Too many invoices",
            f"The filter matches more than {MAX_BATCH_SIZE} invoices: narrow it "
            "(e.g. `code` or `updated_since`).",
        )
    if not ids:
        raise Problem(
            409,
            "Nothing to retry",
            "No invoice matches the filter.",
            type_="urn:mediaos-sync:problem:no-failed-invoices",
        )
    return ids


@router.post("/retry", **push_route("Not connected (`not_connected`), or nothing matches."))
async def retry(
    tenant_id: TenantId,
    body: InboxRetryRequest,
    response: Response,
    principal: CurrentPrincipal,
    pool: DbPool,
    links: LinkBuilder,
) -> PushAccepted:
    """Send these invoices (or all the inbox lists for `filter`, by default the failed ones)
    again, as a new push batch; the same confirmation rule as any push."""
    require(principal, tenant_id, Role.PUSH)
    await ensure_connected(pool, tenant_id, links.base_url)
    ids = await _selected_ids(pool, tenant_id, body)
    if not body.confirm_overwrite:
        raise confirmation_problem()
    batch_id = await submit_batch(
        pool,
        tenant_id=tenant_id,
        invoice_ids=ids,
        requested_by=body.requested_by or principal.label,
        principal=principal.label,
    )
    accepted = links.accepted_batch(principal, tenant_id, batch_id, len(ids))
    response.headers["Location"] = accepted.links.status
    return accepted
