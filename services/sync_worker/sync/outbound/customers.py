"""MediaOS customer -> QuickBooks customer, linked once per tenant, customer and realm."""

from __future__ import annotations

import asyncio

from services.contract.invoices import InvoiceCustomer
from services.sync_worker.quickbooks import Customer, EmailAddress
from services.sync_worker.sync.domain import request_ids
from services.sync_worker.sync.ledger import CustomerLink
from services.sync_worker.sync.ports import OutboundStore, QuickBooksCompany


async def resolve_customer(
    store: OutboundStore, client: QuickBooksCompany, tenant_id: str, src: InvoiceCustomer
) -> str:
    """The linked QuickBooks customer; the first time, an existing customer with the same
    DisplayName, or a new one. The link is committed at once (it is a cache of a fact)."""
    linked = await store.customer_link(tenant_id, src.customer_id, client.realm_id)
    if linked:
        return linked
    customer = await client.find_or_create_customer(
        Customer(
            display_name=src.display_name,
            primary_email_addr=EmailAddress(address=src.email) if src.email else None,
        ),
        request_id=request_ids.customer_id(tenant_id, src.customer_id, src.display_name),
    )
    assert customer.id is not None
    await store.save_customer_link(
        CustomerLink(
            tenant_id=tenant_id,
            customer_id=src.customer_id,
            realm_id=client.realm_id,
            quickbooks_id=customer.id,
            display_name=customer.display_name,
        )
    )
    return customer.id


class CustomerResolver:
    """Single flight: concurrent units of one new customer share one lookup-and-create
    instead of each spending QuickBooks calls on it. A company is paced by one replica at a
    time, so this covers every replica."""

    def __init__(self) -> None:
        self._pending: dict[tuple[str, str, str], asyncio.Future[str]] = {}

    async def resolve(
        self, store: OutboundStore, client: QuickBooksCompany, tenant_id: str, src: InvoiceCustomer
    ) -> str:
        key = (tenant_id, src.customer_id, client.realm_id)
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(resolve_customer(store, client, tenant_id, src))
            self._pending[key] = pending
            pending.add_done_callback(lambda _: self._pending.pop(key, None))
        return await asyncio.shield(pending)
