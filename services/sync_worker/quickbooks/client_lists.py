"""Calls on QuickBooks' name lists the sync uses: customers and items."""

from __future__ import annotations

from collections.abc import Sequence

from .client_core import ClientCore, parse_entity
from .errors import QuickBooksDuplicateNameError
from .models import Customer, Item
from .queries import quote


class CustomerCalls(ClientCore):
    async def find_customer_by_display_name(self, display_name: str) -> Customer | None:
        rows = await self.query(
            f"select * from Customer where DisplayName = {quote(display_name)}",
            "Customer",
            endpoint="customer.query",
        )
        return parse_entity(Customer, rows[0], "customer.query") if rows else None

    async def create_customer(self, customer: Customer, *, request_id: str) -> Customer:
        """Raises QuickBooksDuplicateNameError (fault 6240) when the name is taken."""
        raw = await self._write("Customer", customer.to_qbo(), request_id, "customer.create")
        return parse_entity(Customer, raw, "customer.create")

    async def find_or_create_customer(self, customer: Customer, *, request_id: str) -> Customer:
        """The active customer with this DisplayName, created if there is none."""
        existing = await self.find_customer_by_display_name(customer.display_name)
        if existing is not None:
            return existing
        try:
            return await self.create_customer(customer, request_id=request_id)
        except QuickBooksDuplicateNameError:
            # Created concurrently, or the name belongs to a vendor/employee.
            existing = await self.find_customer_by_display_name(customer.display_name)
            if existing is None:
                raise
            return existing


class ItemCalls(ClientCore):
    async def get_item(self, item_id: str) -> Item:
        return parse_entity(Item, await self._read("Item", item_id, "item.read"), "item.read")

    async def find_items_by_ids(self, item_ids: Sequence[str]) -> list[Item]:
        """Items with these Ids, inactive ones included (so a caller can tell them apart)."""
        condition = " and Active in (true, false)"
        rows = await self._query_ids("Item", item_ids, "item.query", condition)
        return [parse_entity(Item, r, "item.query") for r in rows]

    async def list_items(self, *, include_inactive: bool = False) -> list[Item]:
        statement = "select * from Item"
        if include_inactive:
            statement += " where Active in (true, false)"
        rows = await self.query(statement, "Item", endpoint="item.query")
        return [parse_entity(Item, r, "item.query") for r in rows]
