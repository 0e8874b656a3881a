"""The QuickBooks operations the sync worker uses, bound to one tenant's connection.

Idempotency: every write takes a caller-supplied `request_id` (derive it from the unit of
work, e.g. the event id). It is sent as QuickBooks' `requestid` on every internal retry, so
when a create timed out after QuickBooks had committed it, the retry gets the original answer
back (the same invoice) instead of creating a second one. Pass the same id again when the
whole unit of work is retried later, and a different one for a genuinely different write.

The calls are grouped by entity: `client_invoices`, `client_lists` (customers, items), on
the shared `client_core` (sending, writes, paged queries).
"""

from __future__ import annotations

from .client_core import OnStale
from .client_invoices import InvoiceCalls
from .client_lists import CustomerCalls, ItemCalls

__all__ = ["OnStale", "QuickBooksClient"]


class QuickBooksClient(InvoiceCalls, CustomerCalls, ItemCalls):
    """Obtain one from `QuickBooksService.client(tenant_id)`; cheap to create."""
