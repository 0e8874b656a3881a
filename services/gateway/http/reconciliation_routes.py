"""Reconciliation: start a run, follow it, list or download its findings, repair them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import StreamingResponse

from services.contract.reconciliation import ReconciliationCategory
from services.gateway.auth.dependencies import CurrentPrincipal, require
from services.gateway.auth.principal import Principal, Role
from services.gateway.batches.cursor import decode_position_cursor, encode_position_cursor
from services.gateway.batches.schemas import PushAccepted
from services.gateway.http.confirmation import confirmation_problem
from services.gateway.http.deps import DbPool, LinkBuilder
from services.gateway.http.links import Links
from services.gateway.http.lookup import one_or_404
from services.gateway.http.paging import Paging
from services.gateway.http.params import TenantId
from services.gateway.http.problems import Problem, documented_problem
from services.gateway.reconciliations import repository as repo
from services.gateway.reconciliations import service
from services.gateway.reconciliations.model import Run
from services.gateway.reconciliations.schemas import (
    DifferencePage,
    NightlySetting,
    ReconciliationAccepted,
    ReconciliationLinks,
    ReconciliationRun,
    RepairAccepted,
    RepairRequest,
    StartRequest,
)
from services.gateway.reconciliations.views import csv_lines, difference_body, run_body

router = APIRouter(prefix="/v1/tenants/{tenant_id}", tags=["reconciliation"])
RunId = Annotated[UUID, Path(description="Id returned by POST reconciliations.")]


def _run_links(links: Links, tenant_id: str, run_id: UUID) -> ReconciliationLinks:
    root = f"{links.tenant(tenant_id)}/reconciliations/{run_id}"
    return ReconciliationLinks(
        status=root, differences=f"{root}/differences", csv=f"{root}/csv", repair=f"{root}/repair"
    )


async def _load(pool: asyncpg.Pool, tenant_id: str, run_id: UUID) -> Run:
    return await one_or_404(
        pool, lambda conn: repo.get(conn, tenant_id, run_id), f"reconciliation {run_id}"
    )


@router.post("/reconciliations", status_code=202, response_model=ReconciliationAccepted)
async def start_reconciliation(
    tenant_id: TenantId,
    response: Response,
    principal: CurrentPrincipal,
    pool: DbPool,
    links: LinkBuilder,
    body: StartRequest | None = None,
) -> ReconciliationAccepted:
    """Compare every MediaOS invoice of the tenant with QuickBooks (runs in the background)."""
    require(principal, tenant_id, Role.PUSH)
    requested_by = (body.requested_by if body else None) or principal.label
    run_id = await service.start(pool, tenant_id, requested_by)
    run_links = _run_links(links, tenant_id, run_id)
    response.headers["Location"] = run_links.status
    return ReconciliationAccepted(id=run_id, tenant_id=tenant_id, links=run_links)


@router.get("/reconciliations/{run_id}", response_model=ReconciliationRun)
async def reconciliation(
    tenant_id: TenantId,
    run_id: RunId,
    principal: CurrentPrincipal,
    pool: DbPool,
    links: LinkBuilder,
) -> ReconciliationRun:
    """State, progress, and per category the count and the amounts on each side."""
    require(principal, tenant_id, Role.READ)
    return run_body(await _load(pool, tenant_id, run_id), _run_links(links, tenant_id, run_id))


@router.get("/reconciliations/{run_id}/differences", response_model=DifferencePage)
async def differences(
    tenant_id: TenantId,
    run_id: RunId,
    principal: CurrentPrincipal,
    pool: DbPool,
    page: Paging,
    category: Annotated[ReconciliationCategory | None, Query(description="Only this one.")] = None,
) -> DifferencePage:
    """One row per invoice compared (fields that differ with both values), `limit` at a time."""
    require(principal, tenant_id, Role.READ)
    await _load(pool, tenant_id, run_id)
    categories = [category.value] if category else None
    rows, next_cursor = await page.read(
        pool,
        decode_position_cursor,
        lambda conn, after, limit: repo.findings(
            conn, run_id, categories=categories, after=-1 if after is None else after, limit=limit
        ),
        lambda r: encode_position_cursor(r.position),
    )
    return DifferencePage(items=[difference_body(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/reconciliations/{run_id}/csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "One line per difference."}},
)
async def differences_csv(
    tenant_id: TenantId,
    run_id: RunId,
    principal: CurrentPrincipal,
    pool: DbPool,
    category: Annotated[ReconciliationCategory | None, Query()] = None,
) -> StreamingResponse:
    """The findings as CSV, for a spreadsheet."""
    require(principal, tenant_id, Role.READ)
    await _load(pool, tenant_id, run_id)
    async with pool.acquire() as conn:
        rows = await repo.findings(
            conn, run_id, categories=[category.value] if category else None, after=-1, limit=None
        )
    name = f"reconciliation-{run_id}.csv"
    return StreamingResponse(
        iter(csv_lines(rows)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/reconciliations/{run_id}/repair",
    status_code=202,
    response_model=RepairAccepted,
    responses={
        409: documented_problem("The run has not completed."),
        428: documented_problem("`confirm_overwrite` is not true: nothing was sent."),
    },
)
async def repair(
    tenant_id: TenantId,
    run_id: RunId,
    body: RepairRequest,
    principal: CurrentPrincipal,
    pool: DbPool,
    links: LinkBuilder,
) -> RepairAccepted:
    """Push exactly the invoices of these categories as a normal push batch."""
    require(principal, tenant_id, Role.PUSH)
    run = await _load(pool, tenant_id, run_id)
    if run.state != "completed":
        raise Problem(409, "Not completed", f"The reconciliation is {run.state}.")
    if not body.confirm_overwrite:
        raise confirmation_problem()
    async with pool.acquire() as conn:
        try:
            plan = await service.plan_repair(conn, run, list(dict.fromkeys(body.categories)))
        except service.TooManyToRepair as exc:
            raise Problem(422, "Too many invoices", str(exc)) from exc
    requested_by = body.requested_by or principal.label
    batch_id = await service.repair(pool, tenant_id, plan, requested_by, principal.label)
    return RepairAccepted(
        reconciliation_id=run_id,
        invoices=len(plan.invoice_ids),
        batch=_accepted(links, principal, tenant_id, batch_id, len(plan.invoice_ids)),
        conflict_policy=plan.policy.value,
        kept_by_conflict_policy=plan.kept,
        note=plan.note,
    )


def _accepted(
    links: Links, principal: Principal, tenant_id: str, batch_id: UUID | None, total: int
) -> PushAccepted | None:
    if batch_id is None:
        return None
    return links.accepted_batch(principal, tenant_id, batch_id, total)


@router.put("/reconciliation-settings", response_model=NightlySetting)
async def put_settings(
    tenant_id: TenantId, body: NightlySetting, principal: CurrentPrincipal, pool: DbPool
) -> NightlySetting:
    """Nightly reconciliation on or off (off by default)."""
    require(principal, tenant_id, Role.ADMIN)
    async with pool.acquire() as conn:
        await repo.set_nightly(conn, tenant_id, body.nightly)
    return body


@router.get("/reconciliation-settings", response_model=NightlySetting)
async def get_settings(
    tenant_id: TenantId, principal: CurrentPrincipal, pool: DbPool
) -> NightlySetting:
    require(principal, tenant_id, Role.READ)
    async with pool.acquire() as conn:
        return NightlySetting(nightly=await repo.nightly(conn, tenant_id))
