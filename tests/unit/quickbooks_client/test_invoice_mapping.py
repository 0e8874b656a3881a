from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from services.sync_worker.quickbooks.invoice_mapping import to_domain, to_wire
from services.sync_worker.quickbooks.models import Invoice
from services.sync_worker.sync.domain.fingerprint import fingerprint
from services.sync_worker.sync.domain.translate import to_quickbooks
from tests.support.factories import invoice_snapshot


def test_a_sparse_update_sends_every_field_translation_sets_and_nothing_else() -> None:
    desired = to_quickbooks(
        invoice_snapshot(), customer_id="5", item_ids={"P-1": "9"}, number_prefix=None
    )
    wire = to_wire(replace(desired, id="12", sync_token="3"))
    body = wire.model_dump(by_alias=True, exclude_unset=True, exclude_none=True)
    assert set(body) == {
        "CustomerRef",
        "Line",
        "Id",
        "SyncToken",
        "DocNumber",
        "TxnDate",
        "DueDate",
        "PrivateNote",
        "CustomerMemo",
        "CurrencyRef",
    }
    assert set(body["Line"][0]) == {
        "Amount",
        "DetailType",
        "SalesItemLineDetail",
        "LineNum",
        "Description",
    }


def test_what_quickbooks_returns_reads_back_as_what_was_sent() -> None:
    desired = to_quickbooks(
        invoice_snapshot(products=("P-1", "P-2")),
        customer_id="5",
        item_ids={"P-1": "9", "P-2": "8"},
        number_prefix="X-",
    )
    returned = Invoice.model_validate(
        {
            **to_wire(desired).to_qbo(),
            "Id": "12",
            "SyncToken": "0",
            "TotalAmt": Decimal("200"),
            "Balance": Decimal("200"),
            "Line": [
                *to_wire(desired).to_qbo()["Line"],
                {"Amount": Decimal("200"), "DetailType": "SubTotalLineDetail"},
            ],
        }
    )
    read = to_domain(returned)
    assert read == replace(
        desired, id="12", sync_token="0", total=Decimal("200"), balance=Decimal("200")
    )
    assert fingerprint(read) == fingerprint(desired)
