"""What the sync core needs from the outside world, as small Protocols.

The PostgreSQL adapters are in `store.py`; QuickBooks is `quickbooks.QuickBooksService`
and its `QuickBooksClient`. Unit tests pass in-memory fakes (tests/unit/sync_worker).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from services.sync_worker.quickbooks import (
    Customer,
    DeletedObject,
    Invoice,
    InvoiceChanges,
    OnStale,
)
from services.sync_worker.sync.claims import ClaimRequest
from services.sync_worker.sync.completion import Completion
from services.sync_worker.sync.context import InvoiceContext
from services.sync_worker.sync.ledger import CustomerLink, LedgerEntry
from services.sync_worker.sync.work_items import WorkItem


class QuickBooksCompany(Protocol):
    """One tenant's QuickBooks company: the calls the sync core makes."""

    @property
    def realm_id(self) -> str: ...

    async def get_invoice(self, invoice_id: str) -> Invoice: ...

    async def find_invoices_by_doc_number(self, doc_number: str) -> list[Invoice]: ...

    async def create_invoice(
        self, invoice: Invoice, *, request_id: str, batchable: bool = ...
    ) -> Invoice: ...

    async def update_invoice(
        self, invoice: Invoice, *, request_id: str, sparse: bool = ..., on_stale: OnStale = ...
    ) -> Invoice: ...

    async def void_invoice(
        self, invoice_id: str, sync_token: str, *, request_id: str, on_stale: OnStale = ...
    ) -> Invoice: ...

    async def delete_invoice(
        self, invoice_id: str, sync_token: str, *, request_id: str, on_stale: OnStale = ...
    ) -> DeletedObject: ...

    async def find_or_create_customer(self, customer: Customer, *, request_id: str) -> Customer: ...

    async def invoice_changes_since(self, since: datetime) -> InvoiceChanges: ...


class QuickBooksCompanies(Protocol):
    async def client(self, tenant_id: str) -> QuickBooksCompany:
        """Raises QuickBooksError (NOT_CONNECTED, QBO_AUTH) when the tenant cannot call."""
        ...


class OutboundStore(Protocol):
    async def load_context(self, tenant_id: str, invoice_id: str) -> InvoiceContext: ...

    async def mark_create_pending(
        self, tenant_id: str, invoice_id: str, realm_id: str, generation: int
    ) -> None:
        """Committed at once, before the create is sent (see `create.create_or_adopt`)."""
        ...

    async def customer_link(
        self, tenant_id: str, customer_id: str, realm_id: str
    ) -> str | None: ...

    async def save_customer_link(self, link: CustomerLink) -> None: ...


class InboundStore(Protocol):
    async def manual_push(self, tenant_id: str) -> bool: ...

    async def ledger_by_external_id(
        self, tenant_id: str, realm_id: str, external_id: str
    ) -> LedgerEntry | None: ...

    async def outbound_in_flight(self, tenant_id: str, invoice_id: str) -> bool: ...

    async def cdc_cursor(self, tenant_id: str) -> datetime | None: ...


class WorkQueue(Protocol):
    """Units of work: claiming, leases and the end of a unit (see `work_items`)."""

    def listen(self, on_ready: Callable[[], None]) -> AbstractAsyncContextManager[None]: ...

    async def claim_ready(self, request: ClaimRequest) -> list[WorkItem]: ...

    async def extend_leases(
        self, held: list[tuple[int, int]], *, worker_id: str, lease_seconds: float
    ) -> None: ...

    async def recover_expired_leases(self) -> int: ...

    async def finish(self, item: WorkItem, completion: Completion, *, worker_id: str) -> bool:
        """Ends the unit and writes its completion in one transaction, only while this
        replica holds the lease; False (nothing written) when the lease was lost."""
        ...

    async def finish_many(
        self, finished: Sequence[tuple[WorkItem, Completion]], *, worker_id: str
    ) -> set[int]:
        """`finish` for many units in one transaction; returns the ids still held."""

    async def retry_later(
        self, item: WorkItem, *, worker_id: str, delay_seconds: float, count_attempt: bool
    ) -> bool: ...

    async def release(self, held: list[tuple[int, int]], *, worker_id: str) -> None: ...

    async def schedule_cdc_sweeps(self, delay_seconds: float) -> None:
        """One pending CDC sweep per connected two-way tenant."""
        ...
