"""The QuickBooks operations the sync worker uses, bound to one tenant's connection.

Idempotency: every write takes a caller-supplied `request_id` (derive it from the unit of
work, e.g. the event id). It is sent as QuickBooks' `requestid` on every internal retry, so
when a create timed out after QuickBooks had committed it, the retry gets the original answer
back (the same invoice) instead of creating a second one. Pass the same id again when the
whole unit of work is retried later, and a different one for a genuinely different write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from services.contract.errors import ErrorCode

from .config import QuickBooksConfig
from .errors import QuickBooksDuplicateNameError, QuickBooksError, QuickBooksStaleObjectError
from .models import Customer, DeletedObject, Invoice, InvoiceChanges, Item
from .queries import in_list, paged, quote
from .rate_limit import RateGate
from .requestid import derive_request_id, validate_request_id
from .transport import RequestExecutor

OnStale = Literal["raise", "reread_and_retry"]
M = TypeVar("M", bound=BaseModel)

CDC_MAX_LOOKBACK = timedelta(days=30)
CDC_MAX_OBJECTS = 1000
# Ids per `Id IN (...)` query, to keep the URL short.
_IDS_PER_QUERY = 100
# Longer statements go as a POST body (`application/text`), which QuickBooks accepts at any
# length: a GET carries the statement in the URL, and servers refuse URLs of ~8-16 KB.
GET_QUERY_MAX_CHARS = 2000
# A stale SyncToken is re-read and retried at most this often before giving up.
_STALE_RETRIES = 3


def _unexpected(operation: str, what: str) -> QuickBooksError:
    return QuickBooksError(
        ErrorCode.QBO_UNAVAILABLE,
        f"QuickBooks answered {operation} with an unexpected body ({what}). Retry later.",
        details={"operation": operation},
    )


def _entity(model: type[M], data: Any, operation: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _unexpected(operation, f"{exc.error_count()} invalid fields") from None


class QuickBooksClient:
    """Obtain one from `QuickBooksService.client(tenant_id)`; cheap to create."""

    def __init__(
        self,
        executor: RequestExecutor,
        limiter: RateGate,
        config: QuickBooksConfig,
        *,
        tenant_id: str,
        realm_id: str,
    ) -> None:
        self._executor = executor
        self._limiter = limiter
        self._config = config
        self.tenant_id = tenant_id
        self.realm_id = realm_id

    def __repr__(self) -> str:
        return f"QuickBooksClient(tenant_id={self.tenant_id!r}, realm_id={self.realm_id!r})"

    # -- low level ---------------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        text: str | None = None,
        request_id: str | None = None,
    ) -> dict[str, Any]:
        return await self._executor.send(
            tenant_id=self.tenant_id,
            method=method,
            path=path,
            endpoint=endpoint,
            params=params,
            body=body,
            text=text,
            request_id=request_id,
        )

    async def _write(
        self,
        entity: str,
        body: Mapping[str, Any],
        request_id: str,
        endpoint: str,
        operation: str | None = None,
    ) -> dict[str, Any]:
        params = {"operation": operation} if operation else None
        data = await self._send(
            "POST",
            entity.lower(),
            endpoint,
            params=params,
            body=dict(body),
            request_id=validate_request_id(request_id),
        )
        if entity not in data:
            raise _unexpected(endpoint, f"no {entity}")
        result: dict[str, Any] = data[entity]
        return result

    async def query(
        self, statement: str, entity: str, *, endpoint: str = "query", at_most: int | None = None
    ) -> list[Any]:
        """Run a `select * from <entity> ...` statement, following pages to the end.
        `at_most`: the statement cannot match more rows (an `Id in (...)` list), so once that
        many have come back there is no next page to ask for."""
        page_size = self._config.query_page_size
        results: list[Any] = []
        start = 1
        while True:
            text = paged(statement, start, page_size)
            if len(text) > GET_QUERY_MAX_CHARS:
                data = await self._send("POST", "query", endpoint, text=text)
            else:
                data = await self._send("GET", "query", endpoint, params={"query": text})
            response = data.get("QueryResponse")
            if not isinstance(response, dict):
                raise _unexpected(endpoint, "no QueryResponse")
            page = response.get(entity) or []
            results.extend(page)
            if len(page) < page_size or (at_most is not None and len(results) >= at_most):
                return results
            start += page_size

    # -- invoices ----------------------------------------------------------------------------

    async def create_invoice(self, invoice: Invoice, *, request_id: str) -> Invoice:
        if invoice.id is not None:
            raise ValueError("create_invoice: the invoice already has an Id; use update_invoice")
        raw = await self._write("Invoice", invoice.to_qbo(), request_id, "invoice.create")
        return _entity(Invoice, raw, "invoice.create")

    async def get_invoice(self, invoice_id: str) -> Invoice:
        data = await self._send("GET", f"invoice/{invoice_id}", "invoice.read")
        if "Invoice" not in data:
            raise _unexpected("invoice.read", "no Invoice")
        return _entity(Invoice, data["Invoice"], "invoice.read")

    async def update_invoice(
        self,
        invoice: Invoice,
        *,
        request_id: str,
        sparse: bool = False,
        on_stale: OnStale = "raise",
    ) -> Invoice:
        """Full update (omitted writable fields are cleared) or sparse update (only the fields
        set on `invoice` are sent; `Line`, if sent, replaces every line).

        `on_stale="reread_and_retry"` resolves a stale SyncToken (5010) by reading the current
        SyncToken and sending the same content again, i.e. overwriting the change made in
        QuickBooks: only ask for it when overwriting is allowed. `"raise"` raises
        QuickBooksStaleObjectError (code QBO_CONFLICT).
        """
        if invoice.id is None or invoice.sync_token is None:
            raise ValueError("update_invoice needs the invoice's Id and SyncToken")
        body = (
            invoice.model_dump(by_alias=True, exclude_unset=True, exclude_none=True)
            if sparse
            else invoice.to_qbo()
        )
        body["Id"] = invoice.id
        if sparse:
            body["sparse"] = True
        raw = await self._write_resolving_stale(
            "Invoice", invoice.id, body, request_id, "invoice.update", None, on_stale
        )
        return _entity(Invoice, raw, "invoice.update")

    async def sparse_update_invoice(
        self,
        invoice_id: str,
        sync_token: str,
        fields: Mapping[str, Any],
        *,
        request_id: str,
        on_stale: OnStale = "raise",
    ) -> Invoice:
        """Sparse update with QuickBooks field names, e.g. {"PrivateNote": "...", "DueDate": d}."""
        body = {**fields, "Id": invoice_id, "SyncToken": sync_token, "sparse": True}
        raw = await self._write_resolving_stale(
            "Invoice", invoice_id, body, request_id, "invoice.update", None, on_stale
        )
        return _entity(Invoice, raw, "invoice.update")

    async def void_invoice(
        self, invoice_id: str, sync_token: str, *, request_id: str, on_stale: OnStale = "raise"
    ) -> Invoice:
        """Amounts become 0 and QuickBooks prepends "Voided" to PrivateNote."""
        body = {"Id": invoice_id, "SyncToken": sync_token}
        raw = await self._write_resolving_stale(
            "Invoice", invoice_id, body, request_id, "invoice.void", "void", on_stale
        )
        return _entity(Invoice, raw, "invoice.void")

    async def delete_invoice(
        self, invoice_id: str, sync_token: str, *, request_id: str, on_stale: OnStale = "raise"
    ) -> DeletedObject:
        body = {"Id": invoice_id, "SyncToken": sync_token}
        raw = await self._write_resolving_stale(
            "Invoice", invoice_id, body, request_id, "invoice.delete", "delete", on_stale
        )
        return _entity(DeletedObject, raw, "invoice.delete")

    async def _write_resolving_stale(
        self,
        entity: str,
        entity_id: str,
        body: dict[str, Any],
        request_id: str,
        endpoint: str,
        operation: str | None,
        on_stale: OnStale,
    ) -> dict[str, Any]:
        validate_request_id(request_id)
        current_request_id = request_id
        for attempt in range(_STALE_RETRIES + 1):
            try:
                return await self._write(entity, body, current_request_id, endpoint, operation)
            except QuickBooksStaleObjectError as exc:
                if on_stale == "raise" or attempt == _STALE_RETRIES:
                    exc.details.setdefault("entity_id", entity_id)
                    exc.details.setdefault("sent_sync_token", body.get("SyncToken"))
                    raise
                fresh = await self.get_invoice(entity_id)
                body = {**body, "SyncToken": fresh.sync_token}
                # A new requestid: reusing the first would make QuickBooks replay the 5010.
                current_request_id = derive_request_id(request_id, f"st{fresh.sync_token}")
        raise AssertionError("unreachable")  # pragma: no cover

    async def find_invoices_by_doc_number(self, doc_number: str) -> list[Invoice]:
        rows = await self.query(
            f"select * from Invoice where DocNumber = {quote(doc_number)}",
            "Invoice",
            endpoint="invoice.query",
        )
        return [_entity(Invoice, r, "invoice.query") for r in rows]

    async def find_invoices_by_ids(self, invoice_ids: Sequence[str]) -> list[Invoice]:
        found: list[Invoice] = []
        unique = list(dict.fromkeys(invoice_ids))
        for i in range(0, len(unique), _IDS_PER_QUERY):
            chunk = unique[i : i + _IDS_PER_QUERY]
            rows = await self.query(
                f"select * from Invoice where Id in {in_list(chunk)}",
                "Invoice",
                endpoint="invoice.query",
            )
            found.extend(_entity(Invoice, r, "invoice.query") for r in rows)
        return found

    async def invoice_changes_since(self, since: datetime) -> InvoiceChanges:
        """CDC for invoices changed after `since` (at most 30 days back)."""
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        if datetime.now(UTC) - since > CDC_MAX_LOOKBACK:
            raise ValueError("QuickBooks CDC looks back at most 30 days")
        data = await self._send(
            "GET",
            "cdc",
            "cdc",
            params={"entities": "Invoice", "changedSince": since.isoformat()},
        )
        changed: list[Invoice] = []
        deleted: list[DeletedObject] = []
        for block in data.get("CDCResponse") or []:
            for response in block.get("QueryResponse") or []:
                for raw in response.get("Invoice") or []:
                    if str(raw.get("status", "")).lower() == "deleted":
                        deleted.append(_entity(DeletedObject, raw, "cdc"))
                    else:
                        changed.append(_entity(Invoice, raw, "cdc"))
        server_time = data.get("time")
        return InvoiceChanges(
            changed=changed,
            deleted=deleted,
            server_time=datetime.fromisoformat(server_time) if server_time else None,
            may_be_truncated=len(changed) + len(deleted) >= CDC_MAX_OBJECTS,
        )

    # -- customers ---------------------------------------------------------------------------

    async def find_customer_by_display_name(self, display_name: str) -> Customer | None:
        rows = await self.query(
            f"select * from Customer where DisplayName = {quote(display_name)}",
            "Customer",
            endpoint="customer.query",
        )
        return _entity(Customer, rows[0], "customer.query") if rows else None

    async def create_customer(self, customer: Customer, *, request_id: str) -> Customer:
        """Raises QuickBooksDuplicateNameError (fault 6240) when the name is taken."""
        raw = await self._write("Customer", customer.to_qbo(), request_id, "customer.create")
        return _entity(Customer, raw, "customer.create")

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

    # -- items -------------------------------------------------------------------------------

    async def get_item(self, item_id: str) -> Item:
        data = await self._send("GET", f"item/{item_id}", "item.read")
        if "Item" not in data:
            raise _unexpected("item.read", "no Item")
        return _entity(Item, data["Item"], "item.read")

    async def find_items_by_ids(self, item_ids: Sequence[str]) -> list[Item]:
        """Items with these Ids, inactive ones included (so a caller can tell them apart)."""
        found: list[Item] = []
        unique = list(dict.fromkeys(item_ids))
        for i in range(0, len(unique), _IDS_PER_QUERY):
            chunk = unique[i : i + _IDS_PER_QUERY]
            rows = await self.query(
                f"select * from Item where Id in {in_list(chunk)} and Active in (true, false)",
                "Item",
                endpoint="item.query",
            )
            found.extend(_entity(Item, r, "item.query") for r in rows)
        return found

    async def list_items(self, *, include_inactive: bool = False) -> list[Item]:
        statement = "select * from Item"
        if include_inactive:
            statement += " where Active in (true, false)"
        rows = await self.query(statement, "Item", endpoint="item.query")
        return [_entity(Item, r, "item.query") for r in rows]
