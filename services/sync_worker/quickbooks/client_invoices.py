"""Invoice calls: create, read, sparse/full update, void, delete, queries and CDC."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from .client_core import ClientCore, OnStale, parse_entity
from .errors import QuickBooksStaleObjectError
from .models import DeletedObject, Invoice, InvoiceChanges
from .queries import quote
from .requestid import derive_request_id, validate_request_id

CDC_MAX_LOOKBACK = timedelta(days=30)
CDC_MAX_OBJECTS = 1000
# A stale SyncToken is re-read and retried at most this often before giving up.
_STALE_RETRIES = 3


class InvoiceCalls(ClientCore):
    async def create_invoice(
        self, invoice: Invoice, *, request_id: str, batchable: bool = False
    ) -> Invoice:
        """`batchable`: the caller finds an earlier create again by DocNumber, so while the
        company's rate limit makes creates wait they may leave together in one `/batch`."""
        if invoice.id is not None:
            raise ValueError("create_invoice: the invoice already has an Id; use update_invoice")
        if batchable and self._batcher is not None:
            raw = await self._batcher.create(
                self.tenant_id, self.realm_id, invoice.to_qbo(), validate_request_id(request_id)
            )
        else:
            raw = await self._write("Invoice", invoice.to_qbo(), request_id, "invoice.create")
        return parse_entity(Invoice, raw, "invoice.create")

    async def get_invoice(self, invoice_id: str) -> Invoice:
        raw = await self._read("Invoice", invoice_id, "invoice.read")
        return parse_entity(Invoice, raw, "invoice.read")

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
        return await self._invoice_write(invoice.id, body, request_id, "update", on_stale)

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
        return await self._invoice_write(invoice_id, body, request_id, "update", on_stale)

    async def void_invoice(
        self, invoice_id: str, sync_token: str, *, request_id: str, on_stale: OnStale = "raise"
    ) -> Invoice:
        """Amounts become 0 and QuickBooks prepends "Voided" to PrivateNote."""
        body = {"Id": invoice_id, "SyncToken": sync_token}
        return await self._invoice_write(invoice_id, body, request_id, "void", on_stale)

    async def delete_invoice(
        self, invoice_id: str, sync_token: str, *, request_id: str, on_stale: OnStale = "raise"
    ) -> DeletedObject:
        body = {"Id": invoice_id, "SyncToken": sync_token}
        raw = await self._write_resolving_stale(
            invoice_id, body, request_id, "invoice.delete", "delete", on_stale
        )
        return parse_entity(DeletedObject, raw, "invoice.delete")

    async def _invoice_write(
        self, invoice_id: str, body: dict[str, Any], request_id: str, step: str, on_stale: OnStale
    ) -> Invoice:
        """An update (`step="update"`, no operation parameter) or a void."""
        endpoint = f"invoice.{step}"
        operation = None if step == "update" else step
        raw = await self._write_resolving_stale(
            invoice_id, body, request_id, endpoint, operation, on_stale
        )
        return parse_entity(Invoice, raw, endpoint)

    async def _write_resolving_stale(
        self,
        invoice_id: str,
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
                return await self._write("Invoice", body, current_request_id, endpoint, operation)
            except QuickBooksStaleObjectError as exc:
                if on_stale == "raise" or attempt == _STALE_RETRIES:
                    exc.details.setdefault("entity_id", invoice_id)
                    exc.details.setdefault("sent_sync_token", body.get("SyncToken"))
                    raise
                fresh = await self.get_invoice(invoice_id)
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
        return [parse_entity(Invoice, r, "invoice.query") for r in rows]

    async def find_invoices_by_ids(self, invoice_ids: Sequence[str]) -> list[Invoice]:
        rows = await self._query_ids("Invoice", invoice_ids, "invoice.query")
        return [parse_entity(Invoice, r, "invoice.query") for r in rows]

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
                        deleted.append(parse_entity(DeletedObject, raw, "cdc"))
                    else:
                        changed.append(parse_entity(Invoice, raw, "cdc"))
        server_time = data.get("time")
        return InvoiceChanges(
            changed=changed,
            deleted=deleted,
            server_time=datetime.fromisoformat(server_time) if server_time else None,
            may_be_truncated=len(changed) + len(deleted) >= CDC_MAX_OBJECTS,
        )
