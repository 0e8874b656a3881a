"""In-memory fakes of the sync core's ports (services/sync_worker/sync/ports.py)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from services.contract.errors import ErrorCode
from services.contract.invoices import InvoiceSnapshot
from services.sync_worker.quickbooks import (
    Customer,
    DeletedObject,
    Invoice,
    InvoiceChanges,
    OnStale,
    QuickBooksError,
)
from services.sync_worker.sync.claims import ClaimRequest
from services.sync_worker.sync.completion import (
    Completion,
    CreateRejected,
    LedgerForget,
    LedgerRecord,
    LedgerStatus,
    UnitKind,
)
from services.sync_worker.sync.context import InvoiceContext
from services.sync_worker.sync.ledger import CustomerLink, LedgerEntry
from services.sync_worker.sync.work_items import WorkItem
from services.sync_worker.tenants.model import TenantSettings

REALM = "realm-1"


def rejection(code: ErrorCode = ErrorCode.QBO_DUPLICATE_NUMBER) -> QuickBooksError:
    return QuickBooksError(code, f"QuickBooks refused it ({code.value}).", http_status=400)


def timeout() -> QuickBooksError:
    return QuickBooksError(ErrorCode.QBO_UNAVAILABLE, "No answer in time.")


class FakeQuickBooks:
    """One company. Like QuickBooks, a repeated request id replays the first answer (a fault
    included); `fail_next` makes the next call of an operation raise before or after it ran."""

    def __init__(self) -> None:
        self.realm_id = REALM
        self.invoices: dict[str, Invoice] = {}
        self.customers: dict[str, Customer] = {}
        self.calls: list[tuple[str, str | None]] = []  # (operation, request id)
        self._replies: dict[str, Invoice | QuickBooksError] = {}
        self._failures: dict[str, list[tuple[QuickBooksError, bool]]] = {}
        self._ids = itertools.count(100)
        self.changes = InvoiceChanges(
            changed=[], deleted=[], server_time=None, may_be_truncated=False
        )

    def fail_next(
        self, operation: str, error: QuickBooksError, *, after_commit: bool = False
    ) -> None:
        self._failures.setdefault(operation, []).append((error, after_commit))

    async def client(self, tenant_id: str) -> FakeQuickBooks:
        return self

    def _scripted(self, operation: str) -> tuple[QuickBooksError, bool] | None:
        queued = self._failures.get(operation)
        return queued.pop(0) if queued else None

    def _store(self, invoice: Invoice, invoice_id: str | None, token: int) -> Invoice:
        stored = invoice.model_copy(
            update={"id": invoice_id or str(next(self._ids)), "sync_token": str(token)}
        )
        self.invoices[str(stored.id)] = stored
        return stored

    async def create_invoice(
        self, invoice: Invoice, *, request_id: str, batchable: bool = False
    ) -> Invoice:
        self.calls.append(("create", request_id))
        if request_id in self._replies:
            return _replay(self._replies[request_id])
        scripted = self._scripted("create")
        if scripted is not None and not scripted[1]:
            self._replies[request_id] = scripted[0]
            raise scripted[0]
        created = self._store(invoice, None, 0)
        self._replies[request_id] = created
        if scripted is not None:
            raise scripted[0]  # created, but the answer was lost
        return created

    async def get_invoice(self, invoice_id: str) -> Invoice:
        self.calls.append(("read", None))
        if invoice_id not in self.invoices:
            raise QuickBooksError(ErrorCode.QBO_NOT_FOUND, "gone", http_status=400)
        return self.invoices[invoice_id]

    async def update_invoice(
        self,
        invoice: Invoice,
        *,
        request_id: str,
        sparse: bool = False,
        on_stale: OnStale = "raise",
    ) -> Invoice:
        self.calls.append(("update", request_id))
        if request_id in self._replies:
            return _replay(self._replies[request_id])
        scripted = self._scripted("update")
        if scripted is not None:
            raise scripted[0]
        current = self.invoices[str(invoice.id)]
        updated = self._store(invoice, invoice.id, int(current.sync_token or 0) + 1)
        self._replies[request_id] = updated
        return updated

    def edit_in_quickbooks(self, invoice_id: str, **fields: Any) -> Invoice:
        """A QuickBooks user edits the invoice (the SyncToken moves on)."""
        current = self.invoices[invoice_id]
        return self._store(
            current.model_copy(update=fields), invoice_id, int(current.sync_token or 0) + 1
        )

    async def void_invoice(
        self, invoice_id: str, sync_token: str, *, request_id: str, on_stale: OnStale = "raise"
    ) -> Invoice:
        self.calls.append(("void", request_id))
        current = self.invoices[invoice_id]
        voided = current.model_copy(
            update={"line": [], "total_amt": Decimal(0), "private_note": "Voided"}
        )
        return self._store(voided, invoice_id, int(sync_token) + 1)

    async def delete_invoice(
        self, invoice_id: str, sync_token: str, *, request_id: str, on_stale: OnStale = "raise"
    ) -> DeletedObject:
        self.calls.append(("delete", request_id))
        del self.invoices[invoice_id]
        return DeletedObject.model_validate({"Id": invoice_id, "status": "Deleted"})

    async def find_invoices_by_doc_number(self, doc_number: str) -> list[Invoice]:
        self.calls.append(("find", None))
        return [i for i in self.invoices.values() if i.doc_number == doc_number]

    async def find_or_create_customer(self, customer: Customer, *, request_id: str) -> Customer:
        self.calls.append(("customer", request_id))
        await asyncio.sleep(0)  # a real call suspends: concurrent units interleave here
        for known in self.customers.values():
            if known.display_name == customer.display_name:
                return known
        made = customer.model_copy(update={"id": f"C{len(self.customers) + 1}"})
        self.customers[str(made.id)] = made
        return made

    async def invoice_changes_since(self, since: datetime) -> InvoiceChanges:
        self.calls.append(("cdc", since.isoformat()))
        failure = self._scripted("cdc")
        if failure is not None:
            raise failure[0]
        return self.changes

    def create_ids(self) -> list[str | None]:
        return [rid for op, rid in self.calls if op == "create"]


def _replay(reply: Invoice | QuickBooksError) -> Invoice:
    if isinstance(reply, QuickBooksError):
        raise reply
    return reply


@dataclass
class FakeStore:
    """Storage for outbound and inbound units; `apply` plays what the executor commits."""

    settings: TenantSettings = field(default_factory=TenantSettings)
    snapshots: dict[str, tuple[str, InvoiceSnapshot]] = field(default_factory=dict)
    mappings: dict[str, str | None] = field(default_factory=lambda: {"P-1": "I1"})
    ledger: dict[str, LedgerEntry] = field(default_factory=dict)
    customer_links: dict[str, str] = field(default_factory=dict)
    in_flight: set[str] = field(default_factory=set)
    cursor: datetime | None = None
    pending_marks: list[int] = field(default_factory=list)

    def put(self, snapshot: InvoiceSnapshot, event_type: str = "invoice.created") -> None:
        self.snapshots[snapshot.invoice_id] = (event_type, snapshot)

    async def load_context(self, tenant_id: str, invoice_id: str) -> InvoiceContext:
        event_type, snapshot = self.snapshots.get(invoice_id, (None, None))
        products = {ln.product_id for ln in snapshot.lines} if snapshot else set()
        return InvoiceContext(
            settings=self.settings,
            snapshot=snapshot,
            event_type=event_type,
            item_ids={p: self.mappings.get(p) for p in products},
            product_names={p: f"Product {p}" for p in products},
            ledger=self.ledger.get(invoice_id),
        )

    async def mark_create_pending(
        self, tenant_id: str, invoice_id: str, realm_id: str, generation: int
    ) -> None:
        self.pending_marks.append(generation)
        entry = self.ledger.get(invoice_id) or _empty_entry(tenant_id, invoice_id)
        self.ledger[invoice_id] = replace(
            entry, generation=generation, create_pending=True, external_id=None, sync_token=None
        )

    async def customer_link(self, tenant_id: str, customer_id: str, realm_id: str) -> str | None:
        return self.customer_links.get(customer_id)

    async def save_customer_link(self, link: CustomerLink) -> None:
        self.customer_links[link.customer_id] = link.quickbooks_id

    async def manual_push(self, tenant_id: str) -> bool:
        return self.settings.manual_push

    async def ledger_by_external_id(
        self, tenant_id: str, realm_id: str, external_id: str
    ) -> LedgerEntry | None:
        return next((e for e in self.ledger.values() if e.external_id == external_id), None)

    async def outbound_in_flight(self, tenant_id: str, invoice_id: str) -> bool:
        return invoice_id in self.in_flight

    async def cdc_cursor(self, tenant_id: str) -> datetime | None:
        return self.cursor

    def apply(self, completion: Completion) -> None:
        for write in completion.ledger:
            entry = self.ledger.get(write.invoice_id) or _empty_entry(
                write.tenant_id, write.invoice_id
            )
            if isinstance(write, LedgerRecord):
                entry = replace(
                    entry,
                    generation=write.generation,
                    external_id=write.external_id,
                    external_number=write.external_number,
                    sync_token=write.sync_token,
                    synced_version=write.synced_version or entry.synced_version,
                    status=write.status,
                    fingerprint=write.fingerprint or entry.fingerprint,
                    create_pending=False,
                )
            elif isinstance(write, LedgerForget):
                entry = replace(
                    entry,
                    status=LedgerStatus.DELETED,
                    external_id=None,
                    sync_token=None,
                    generation=write.generation,
                )
            elif isinstance(write, CreateRejected) and entry.generation == write.generation:
                entry = replace(entry, generation=write.generation + 1, create_pending=False)
            self.ledger[write.invoice_id] = entry
        if completion.cdc_cursor is not None:
            self.cursor = completion.cdc_cursor.at


def _empty_entry(tenant_id: str, invoice_id: str) -> LedgerEntry:
    return LedgerEntry(
        tenant_id=tenant_id,
        invoice_id=invoice_id,
        realm_id=REALM,
        generation=0,
        external_id=None,
        external_number=None,
        sync_token=None,
        synced_version=None,
        status=LedgerStatus.ACTIVE,
        fingerprint=None,
        last_inbound_token=None,
    )


_unit_ids = itertools.count(1)


def unit(
    kind: UnitKind,
    invoice_id: str | None = None,
    *,
    tenant_id: str = "t-1",
    attempts: int = 1,
    version: int | None = None,
    payload: dict[str, Any] | None = None,
    age_seconds: float = 0.0,
) -> WorkItem:
    return WorkItem(
        id=next(_unit_ids),
        tenant_id=tenant_id,
        invoice_id=invoice_id,
        kind=kind,
        invoice_version=version,
        batch_id=None,
        batch_size=None,
        payload=payload or {},
        attempts=attempts,
        created_at=datetime.now(UTC) - timedelta(seconds=age_seconds),
    )


@dataclass
class FakeWorkQueue:
    """Units by tenant; `finish` fails when `lost` names the unit (its lease was taken over)."""

    ready: dict[str, list[WorkItem]] = field(default_factory=dict)
    finished: list[tuple[WorkItem, Completion]] = field(default_factory=list)
    retried: list[tuple[WorkItem, float, bool]] = field(default_factory=list)
    lost: set[int] = field(default_factory=set)
    claims: list[tuple[str, int]] = field(default_factory=list)
    extended: list[list[int]] = field(default_factory=list)  # unit ids of each extension
    claim_errors: list[Exception] = field(default_factory=list)  # raised by the next claims

    @asynccontextmanager
    async def listen(self, on_ready: Callable[[], None]) -> AsyncIterator[None]:
        yield

    async def claim_ready(self, request: ClaimRequest) -> list[WorkItem]:
        if self.claim_errors:
            raise self.claim_errors.pop(0)
        taken: list[WorkItem] = []
        for tenant_id, items in self.ready.items():
            room = min(
                request.per_tenant - request.running.get(tenant_id, 0), request.limit - len(taken)
            )
            if room <= 0 or not items:
                continue
            self.claims.append((tenant_id, room))
            taken += items[:room]
            self.ready[tenant_id] = items[room:]
        return taken

    async def extend_leases(
        self, held: list[tuple[int, int]], *, worker_id: str, lease_seconds: float
    ) -> None:
        self.extended.append([unit_id for unit_id, _ in held])

    async def recover_expired_leases(self) -> int:
        return 0

    async def finish(self, item: WorkItem, completion: Completion, *, worker_id: str) -> bool:
        if item.id in self.lost:
            return False
        self.finished.append((item, completion))
        return True

    async def finish_many(
        self, finished: Sequence[tuple[WorkItem, Completion]], *, worker_id: str
    ) -> set[int]:
        return {
            item.id for item, done in finished if await self.finish(item, done, worker_id=worker_id)
        }

    async def retry_later(
        self, item: WorkItem, *, worker_id: str, delay_seconds: float, count_attempt: bool
    ) -> bool:
        self.retried.append((item, delay_seconds, count_attempt))
        return True

    async def release(self, held: list[tuple[int, int]], *, worker_id: str) -> None:
        return None

    async def schedule_cdc_sweeps(self, delay_seconds: float) -> None:
        return None
