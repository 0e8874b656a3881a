"""What `make seed` puts into a running local stack (pure: no I/O).

A media company in One-Way Push mode (nothing syncs until someone pushes), three products
of which two are mapped to QuickBooks items, and a dozen invoices: most are sendable, two
use the unmapped product so a push shows what a failure looks like.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from services.contract.invoices import InvoiceCreated, InvoiceCustomer, InvoiceLine, InvoiceSnapshot
from services.contract.settings import ProductMappingChanged, SettingsChanged

# product id -> (QuickBooks item name, unit price)
PRODUCTS = {
    "P-DISPLAY": ("Display Ad", Decimal("100.00")),
    "P-NEWS": ("Newsletter Sponsorship", Decimal("250.00")),
    "P-PODCAST": ("Podcast Spot", Decimal("400.00")),
}
UNMAPPED = "P-PODCAST"
CUSTOMERS = ("Acme Media", "Northwind Radio", "Contoso Outdoor")
INVOICES = 12
UNMAPPED_AT = (4, 9)  # these invoices use the unmapped product


@dataclass(frozen=True)
class Seed:
    tenant_id: str
    settings: list[SettingsChanged | ProductMappingChanged]
    invoices: list[InvoiceCreated]

    @property
    def invoice_ids(self) -> list[str]:
        return [e.invoice.invoice_id for e in self.invoices]

    @property
    def sendable_ids(self) -> list[str]:
        return [e.invoice.invoice_id for e in self.invoices if not _unmapped(e.invoice)]


def _unmapped(invoice: InvoiceSnapshot) -> bool:
    return any(line.product_id == UNMAPPED for line in invoice.lines)


def realm_request() -> dict[str, object]:
    """The sandbox company: every product as an item, the customers already there."""
    return {
        "items": [{"name": name, "unit_price": str(price)} for name, price in PRODUCTS.values()],
        "customers": [{"display_name": c} for c in CUSTOMERS],
    }


def _invoice(tenant_id: str, n: int) -> InvoiceCreated:
    product = UNMAPPED if n in UNMAPPED_AT else ("P-DISPLAY", "P-NEWS")[n % 2]
    price = PRODUCTS[product][1]
    quantity = Decimal(1 + n % 3)
    customer = CUSTOMERS[n % len(CUSTOMERS)]
    line = InvoiceLine(
        line_id="l1",
        product_id=product,
        description=f"{PRODUCTS[product][0]}, November",
        quantity=quantity,
        unit_price=price,
        amount=quantity * price,
    )
    snapshot = InvoiceSnapshot(
        invoice_id=f"{tenant_id}-inv-{n + 1:03d}",
        number=str(3001 + n),
        version=1,
        customer=InvoiceCustomer(
            customer_id=f"c-{customer.lower().replace(' ', '-')}",
            display_name=customer,
            email="billing@example.com",
        ),
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 12, 2),
        currency="USD",
        lines=[line],
        total=line.amount,
        memo="Thank you for advertising with us",
        created_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    )
    return InvoiceCreated(tenant_id=tenant_id, invoice=snapshot)


def build_seed(tenant_id: str, items: dict[str, str]) -> Seed:
    """`items`: QuickBooks item name -> item Id, as the sandbox created them."""
    mappings = [
        ProductMappingChanged(
            tenant_id=tenant_id, product_id=pid, product_name=name, quickbooks_item_id=items[name]
        )
        for pid, (name, _) in PRODUCTS.items()
        if pid != UNMAPPED
    ]
    return Seed(
        tenant_id=tenant_id,
        settings=[SettingsChanged(tenant_id=tenant_id, manual_push=True), *mappings],
        invoices=[_invoice(tenant_id, n) for n in range(INVOICES)],
    )
