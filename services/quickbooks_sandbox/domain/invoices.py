"""Invoice rules: create, full and sparse update, void, delete, read, user edits."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from . import errors
from .clock import local_date
from .entities import Record, metadata, ref_value
from .errors import JsonDict
from .invoice_schema import normalize_invoice
from .lines import build_lines, void_lines
from .money import as_number
from .realm import Realm

MAX_DOC_NUMBER = 21
MAX_PRIVATE_NOTE = 4000
MAX_CUSTOMER_MEMO = 1000
# Server-managed fields: ignored when sent.
READ_ONLY = frozenset(
    {
        "Id",
        "SyncToken",
        "MetaData",
        "TotalAmt",
        "Balance",
        "HomeTotalAmt",
        "HomeBalance",
        "domain",
        "sparse",
        "status",
        "time",
    }
)
# Kept on a full update when omitted, because QBO defaults them rather than clearing them.
DEFAULTED = ("TxnDate", "DueDate", "CurrencyRef")
DEFAULT_CURRENCY: JsonDict = {"value": "USD", "name": "United States Dollar"}


def _writable(body: JsonDict) -> JsonDict:
    return {k: v for k, v in body.items() if k not in READ_ONLY}


def _sent(body: JsonDict) -> JsonDict:
    """The writable fields of a request body, after QBO's schema binding (invoice_schema)."""
    return _writable(normalize_invoice(body))


def _check_lengths(fields: JsonDict) -> None:
    doc = fields.get("DocNumber")
    if doc is not None:
        if not isinstance(doc, str):
            raise errors.invalid_value("DocNumber", "DocNumber must be a string")
        if len(doc) > MAX_DOC_NUMBER:
            raise errors.string_too_long("DocNumber", MAX_DOC_NUMBER, len(doc))
    note = fields.get("PrivateNote")
    if isinstance(note, str) and len(note) > MAX_PRIVATE_NOTE:
        raise errors.string_too_long("PrivateNote", MAX_PRIVATE_NOTE, len(note))
    memo = fields.get("CustomerMemo")
    memo_text = memo.get("value") if isinstance(memo, dict) else None
    if isinstance(memo_text, str) and len(memo_text) > MAX_CUSTOMER_MEMO:
        raise errors.string_too_long("CustomerMemo", MAX_CUSTOMER_MEMO, len(memo_text))


def _parse_date(fields: JsonDict, key: str) -> date | None:
    value = fields.get(key)
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise errors.invalid_value(key, f"Invalid date {value!r}; expected YYYY-MM-DD") from exc


def _customer_ref(realm: Realm, fields: JsonDict) -> JsonDict:
    if fields.get("CustomerRef") is None:
        raise errors.required_param("CustomerRef")
    customer_id = ref_value(fields["CustomerRef"])
    if customer_id is None:
        raise errors.required_param("CustomerRef")
    record = realm.customers.get(customer_id)
    if record is None or record.deleted or not record.data.get("Active", True):
        raise errors.invalid_reference("CustomerRef", "Customer", customer_id)
    return {"value": customer_id, "name": record.data["DisplayName"]}


def _check_doc_number(realm: Realm, doc: str | None, invoice_id: str | None) -> None:
    if doc is None:
        return
    settings = realm.settings
    if not (settings.custom_txn_numbers and settings.warn_duplicate_doc_number):
        return
    owner = next((i for i in realm.doc_numbers.get(doc, ()) if i != invoice_id), None)
    if owner is not None:
        raise errors.duplicate_doc_number(doc, owner)


def _materialize(
    realm: Realm, fields: JsonDict, existing: Record | None, rebuild: set[str], now: float
) -> JsonDict:
    """Validate `fields` and return the complete stored invoice (without Id bookkeeping).

    `rebuild` names the fields that came from the request and must be (re)validated;
    others are carried over from the stored invoice as they are.
    """
    if "CustomerRef" not in fields:
        raise errors.required_param("CustomerRef")
    if "Line" not in fields:
        raise errors.required_param("Line")
    _check_lengths({k: v for k, v in fields.items() if k in rebuild})
    data: JsonDict = dict(fields)
    if "CustomerRef" in rebuild:
        data["CustomerRef"] = _customer_ref(realm, fields)
    if "Line" in rebuild or existing is None:
        lines, total = build_lines(realm, fields["Line"])
        data["Line"] = lines
        data["TotalAmt"] = as_number(total)
    else:
        data["TotalAmt"] = existing.data["TotalAmt"]
    data["Balance"] = data["TotalAmt"]
    txn_date = _parse_date(fields, "TxnDate") or local_date(now, realm.settings.tz_offset_minutes)
    due_date = _parse_date(fields, "DueDate") or txn_date + timedelta(
        days=realm.settings.default_terms_days
    )
    data["TxnDate"] = txn_date.isoformat()
    data["DueDate"] = due_date.isoformat()
    if data.get("CurrencyRef") is None:
        data["CurrencyRef"] = dict(DEFAULT_CURRENCY)
    doc = data.get("DocNumber")
    _check_doc_number(realm, doc, existing.id if existing else None)
    return {k: v for k, v in data.items() if v is not None}


def _index_doc_number(realm: Realm, old: str | None, new: str | None, invoice_id: str) -> None:
    if old is not None and old in realm.doc_numbers:
        owners = realm.doc_numbers[old]
        owners.pop(invoice_id, None)
        if not owners:
            del realm.doc_numbers[old]
    if new is not None:
        realm.doc_numbers.setdefault(new, {})[invoice_id] = None


def create_invoice(realm: Realm, body: JsonDict, now: float) -> Record:
    fields = _sent(body)
    data = _materialize(realm, fields, None, set(fields), now)
    if "DocNumber" not in data:
        data["DocNumber"] = realm.allocate_doc_number()
    record = realm.insert("Invoice", data, now)
    _index_doc_number(realm, None, data["DocNumber"], record.id)
    realm.emit("Invoice", record, "Create", now)
    return record


def live_invoice(realm: Realm, invoice_id: Any) -> Record:
    return realm.invoices.existing(invoice_id)


def _checked(realm: Realm, body: JsonDict) -> Record:
    """The live invoice named by `body` when its SyncToken is current (else 2020/610/5010)."""
    if body.get("Id") is None:
        raise errors.required_param("Id")
    return realm.invoices.current(body)


def _write(realm: Realm, record: Record, data: JsonDict, now: float, operation: str) -> Record:
    data["Id"] = record.id
    data["domain"] = "QBO"
    data["sparse"] = False
    _index_doc_number(realm, record.data.get("DocNumber"), data.get("DocNumber"), record.id)
    record.next_version(data, realm.timestamp(now), now)
    realm.emit("Invoice", record, operation, now)
    return record


def _apply_update(realm: Realm, record: Record, body: JsonDict, sparse: bool, now: float) -> Record:
    sent = _sent(body)
    current = _writable(record.data)
    if sparse:
        fields = {**current, **sent}
    else:
        fields = dict(sent)
        for key in DEFAULTED:
            if key not in fields and key in current:
                fields[key] = current[key]
    rebuild = set(sent) if sparse else set(fields) | {"CustomerRef", "Line"}
    data = _materialize(realm, fields, record, rebuild, now)
    return _write(realm, record, data, now, "Update")


def update_invoice(realm: Realm, body: JsonDict, now: float) -> Record:
    record = _checked(realm, body)
    return _apply_update(realm, record, body, bool(body.get("sparse")), now)


def _void(realm: Realm, record: Record, now: float) -> Record:
    data = dict(record.data)
    data["Line"] = void_lines(data.get("Line", []))
    data["TotalAmt"] = 0.0
    data["Balance"] = 0.0
    note = data.get("PrivateNote")
    data["PrivateNote"] = f"Voided - {note}" if note else "Voided"
    record.voided = True
    return _write(realm, record, data, now, "Void")


def void_invoice(realm: Realm, body: JsonDict, now: float) -> Record:
    return _void(realm, _checked(realm, body), now)


def _delete(realm: Realm, record: Record, now: float) -> JsonDict:
    _index_doc_number(realm, record.data.get("DocNumber"), None, record.id)
    record.deleted = True
    record.changed_at = now
    record.data["MetaData"] = metadata(record.data["MetaData"]["CreateTime"], realm.timestamp(now))
    realm.emit("Invoice", record, "Delete", now)
    return {"Id": record.id, "status": "Deleted", "domain": "QBO"}


def delete_invoice(realm: Realm, body: JsonDict, now: float) -> JsonDict:
    return _delete(realm, _checked(realm, body), now)


def user_edit(realm: Realm, invoice_id: str, changes: JsonDict, now: float) -> Record:
    """A QuickBooks user edits the invoice in the UI: sparse, no SyncToken needed."""
    return _apply_update(realm, live_invoice(realm, invoice_id), changes, True, now)


def user_void(realm: Realm, invoice_id: str, now: float) -> Record:
    return _void(realm, live_invoice(realm, invoice_id), now)


def user_delete(realm: Realm, invoice_id: str, now: float) -> JsonDict:
    return _delete(realm, live_invoice(realm, invoice_id), now)
