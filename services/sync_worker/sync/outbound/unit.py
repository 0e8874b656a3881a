"""The state one outbound unit carries through its steps."""

from __future__ import annotations

from dataclasses import dataclass, replace

from services.contract.errors import ErrorCode
from services.contract.results import Operation
from services.sync_worker.quickbooks import Invoice, QuickBooksError
from services.sync_worker.quickbooks.invoice_mapping import to_wire
from services.sync_worker.results.builders import ResultSubject
from services.sync_worker.sync import completions
from services.sync_worker.sync.completion import Completion, UnitKind
from services.sync_worker.sync.context import InvoiceContext
from services.sync_worker.sync.domain import request_ids
from services.sync_worker.sync.domain.quickbooks_invoice import QuickBooksInvoice
from services.sync_worker.sync.ports import QuickBooksCompany
from services.sync_worker.sync.work_items import WorkItem


@dataclass(frozen=True, slots=True)
class Unit:
    item: WorkItem
    ctx: InvoiceContext
    subject: ResultSubject
    client: QuickBooksCompany

    @property
    def push(self) -> bool:
        """An explicit push: the user confirmed it, so it overwrites and re-creates."""
        return self.item.kind is UnitKind.PUSH

    @property
    def tenant_id(self) -> str:
        return self.item.tenant_id

    @property
    def invoice_id(self) -> str:
        return self.subject.invoice_id


async def current_invoice(client: QuickBooksCompany, external_id: str) -> Invoice | None:
    """The invoice as QuickBooks holds it now; None when it was deleted there."""
    try:
        return await client.get_invoice(external_id)
    except QuickBooksError as error:
        if error.code is ErrorCode.QBO_NOT_FOUND:
            return None
        raise


async def overwrite(unit: Unit, desired: QuickBooksInvoice, target: Invoice, step: str) -> Invoice:
    """Sparse-updates `target` to what MediaOS wants; retried writes of the step replay."""
    return await unit.client.update_invoice(
        to_wire(replace(desired, id=target.id, sync_token=target.sync_token)),
        request_id=request_ids.write_id(unit.item.id, f"{step}-{target.sync_token}"),
        sparse=True,
        on_stale="reread_and_retry" if unit.push or step != "update" else "raise",
    )


def written(unit: Unit, invoice: Invoice, operation: Operation, generation: int) -> Completion:
    assert unit.ctx.snapshot is not None
    return completions.written(
        unit.item,
        unit.subject,
        unit.client.realm_id,
        invoice,
        operation,
        version=unit.ctx.snapshot.version,
        generation=generation,
    )
