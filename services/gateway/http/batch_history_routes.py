"""Batch history: a tenant's push batches, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from services.contract.common import utc_now
from services.gateway.auth.dependencies import CurrentPrincipal, require
from services.gateway.auth.principal import Role
from services.gateway.batches import repository as repo
from services.gateway.batches.cursor import decode_time_cursor, encode_time_cursor
from services.gateway.batches.model import BatchState
from services.gateway.batches.views import progress_body
from services.gateway.http.deps import DbPool
from services.gateway.http.paging import PageCursor, PageRequest
from services.gateway.http.params import TenantId
from services.gateway.inbox.schemas import BatchHistoryPage

router = APIRouter(prefix="/v1/tenants/{tenant_id}/push-batches", tags=["push batches"])


def _history_page(
    limit: Annotated[int, Query(ge=1, le=500)] = 50, cursor: PageCursor = None
) -> PageRequest:
    return PageRequest(limit, cursor)


def _batch_key(cursor: str) -> tuple[datetime, UUID]:
    started_at, batch_id = decode_time_cursor(cursor)
    return started_at, UUID(batch_id)


@router.get("", response_model=BatchHistoryPage)
async def batch_history(
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    pool: DbPool,
    page: Annotated[PageRequest, Depends(_history_page)],
    state: Annotated[BatchState | None, Query(description="Only batches in this state.")] = None,
) -> BatchHistoryPage:
    """Every push batch of the tenant, newest first, with counts and `retry_of`."""
    require(principal, tenant_id, Role.READ)
    rows, next_cursor = await page.read(
        pool,
        _batch_key,
        lambda conn, after, limit: repo.list_batches(
            conn, tenant_id, state=state, after=after, limit=limit
        ),
        lambda b: encode_time_cursor(b.started_at, b.batch_id),
    )
    now = utc_now()
    return BatchHistoryPage(items=[progress_body(r, now) for r in rows], next_cursor=next_cursor)
