"""Valid contract events with sensible defaults, for tests and the demo."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from services.contract.invoices import (
    InvoiceCreated,
    InvoiceCustomer,
    InvoiceLine,
    InvoiceSnapshot,
)


def new_tenant() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def invoice_snapshot(
    invoice_id: str | None = None,
    *,
    number: str | None = None,
    version: int = 1,
    products: tuple[str, ...] = ("P-1",),
    unit_price: str = "100.00",
    quantity: str = "1",
    customer: str = "Acme Media",
) -> InvoiceSnapshot:
    invoice_id = invoice_id or f"inv-{uuid.uuid4().hex[:8]}"
    qty, price = Decimal(quantity), Decimal(unit_price)
    lines = [
        InvoiceLine(
            line_id=f"l{i}",
            product_id=p,
            description=f"{p} placement",
            quantity=qty,
            unit_price=price,
            amount=qty * price,
        )
        for i, p in enumerate(products, start=1)
    ]
    return InvoiceSnapshot(
        invoice_id=invoice_id,
        number=number or str(10000 + uuid.uuid4().int % 89999),
        version=version,
        customer=InvoiceCustomer(
            customer_id=f"c-{customer.lower().replace(' ', '-')}",
            display_name=customer,
            email="billing@example.com",
        ),
        issue_date=date(2026, 11, 1),
        due_date=date(2026, 12, 1),
        currency="USD",
        lines=lines,
        total=sum((ln.amount for ln in lines), Decimal("0")),
        memo="Thank you for advertising with us",
        created_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
    )


def invoice_created(tenant_id: str, **kwargs: object) -> InvoiceCreated:
    return InvoiceCreated(tenant_id=tenant_id, invoice=invoice_snapshot(**kwargs))  # type: ignore[arg-type]
