"""Creating an invoice in QuickBooks exactly once, or adopting the one an earlier attempt made.

Never two: the create's request id is per invoice and generation (QuickBooks replays a
repeated id), and the ledger is marked create-pending before the create is sent, so a later
attempt first looks the invoice up by DocNumber and adopts it (QuickBooks' request-id
retention is undocumented). Always the correction: a create QuickBooks definitively
rejected made nothing, so the next attempt moves to a new generation and a fresh id."""

from __future__ import annotations

import structlog

from services.contract.results import Operation
from services.sync_worker.quickbooks import Invoice, QuickBooksError
from services.sync_worker.quickbooks.invoice_mapping import to_domain, to_wire
from services.sync_worker.sync import completions
from services.sync_worker.sync.completion import Completion, CreateRejected
from services.sync_worker.sync.domain import request_ids
from services.sync_worker.sync.domain.fingerprint import fingerprint
from services.sync_worker.sync.domain.quickbooks_invoice import QuickBooksInvoice
from services.sync_worker.sync.outbound.unit import Unit, overwrite, written
from services.sync_worker.sync.ports import OutboundStore

log = structlog.get_logger(__name__)


async def create_or_adopt(
    unit: Unit, store: OutboundStore, desired: QuickBooksInvoice, generation: int
) -> Completion:
    entry = unit.ctx.ledger
    if (entry and entry.create_pending) or unit.item.attempts > 1:
        adopted = await _created_earlier(unit, desired)
        if adopted is not None:
            adopted = await overwrite(unit, desired, adopted, "adopt")
            return written(unit, adopted, Operation.CREATE, generation)
    await store.mark_create_pending(
        unit.tenant_id, unit.invoice_id, unit.client.realm_id, generation
    )
    try:
        created = await unit.client.create_invoice(
            to_wire(desired),
            request_id=request_ids.create_invoice_id(unit.tenant_id, unit.invoice_id, generation),
            batchable=_findable(desired),
        )
    except QuickBooksError as error:
        if not request_ids.rejected_definitively(error.code, error.http_status):
            raise  # it may have been created: the marker and the request id cover a retry
        rejected = CreateRejected(unit.tenant_id, unit.invoice_id, generation)
        return completions.failure(
            unit.item, unit.subject, error.code, error.message, error.details, ledger=[rejected]
        )
    if fingerprint(to_domain(created)) != fingerprint(desired):
        # QuickBooks replayed a create made from an older version of the invoice (same
        # request id): bring it up to date.
        created = await overwrite(unit, desired, created, "refresh")
    return written(unit, created, Operation.CREATE, generation)


def _findable(desired: QuickBooksInvoice) -> bool:
    """`_created_earlier` can find it: only such creates may share a `/batch` (whose items
    have no request id of their own)."""
    return bool(desired.doc_number and desired.private_note)


async def _created_earlier(unit: Unit, desired: QuickBooksInvoice) -> Invoice | None:
    """Ours among the invoices with this DocNumber (our PrivateNote names the invoice)."""
    marker = desired.private_note
    if not desired.doc_number or not marker:
        return None
    for found in await unit.client.find_invoices_by_doc_number(desired.doc_number):
        if (found.private_note or "").endswith(marker):
            log.info("earlier_create_adopted", invoice_id=unit.invoice_id, external_id=found.id)
            return found
    return None
