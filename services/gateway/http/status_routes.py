"""An invoice's sync status: what the External Number column shows."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from services.gateway.auth.dependencies import CurrentPrincipal, require
from services.gateway.auth.principal import Role
from services.gateway.http.deps import DbPool
from services.gateway.http.problems import Problem
from services.gateway.http.schemas import InvoiceSyncStatus
from services.gateway.progress import status_repository

router = APIRouter(prefix="/v1/tenants/{tenant_id}", tags=["invoices"])


@router.get("/invoices/{invoice_id}/sync-status", response_model=InvoiceSyncStatus)
async def invoice_sync_status(
    tenant_id: str,
    invoice_id: str,
    principal: CurrentPrincipal,
    pool: DbPool,
) -> InvoiceSyncStatus:
    """What the External Number column shows: the QuickBooks number and the last result."""
    require(principal, tenant_id, Role.READ)
    async with pool.acquire() as conn:
        state = await status_repository.get_status(conn, tenant_id, invoice_id)
    if state is None:
        raise Problem(404, "Not Found", f"No sync result for invoice {invoice_id!r} yet.")
    # The other fields are the state's of the same names.
    return InvoiceSyncStatus.model_validate({**asdict(state), "last_result": state.last_event_type})
