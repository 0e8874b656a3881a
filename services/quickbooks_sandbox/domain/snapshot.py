"""A realm as plain JSON-able data and back: what `--state-dir` writes after each change.

Kept: entities (deleted and voided ones too, with `changed_at`, so CDC history survives),
indexes and counters, settings, limits, token digests, the `requestid` replay memory.
Not kept: throttle windows, stats and injected fault rules (runtime diagnostics).
"""

from __future__ import annotations

from typing import Any

from .entities import Record
from .errors import JsonDict
from .idempotency import StoredResponse
from .realm import Realm
from .settings import RateLimits, RealmSettings
from .tokens import TokenStore

VERSION = 1


def _record(record: Record) -> JsonDict:
    return {
        "data": record.data,
        "changed_at": record.changed_at,
        "deleted": record.deleted,
        "voided": record.voided,
    }


def realm_to_dict(realm: Realm) -> JsonDict:
    return {
        "version": VERSION,
        "realm_id": realm.realm_id,
        "tokens": realm.tokens.snapshot(),
        "settings": dict(vars(realm.settings)),
        "limits": dict(vars(realm.limits)),
        "tables": {
            name: [_record(r) for r in table.rows.values()] for name, table in realm.tables.items()
        },
        "doc_numbers": {doc: list(ids) for doc, ids in realm.doc_numbers.items()},
        "customer_names": realm.customer_names,
        "item_names": realm.item_names,
        "next_id": realm.next_id,
        "next_doc_number": realm.next_doc_number,
        "replays": [[key, r.status, r.body] for key, r in realm.replays.items()],
    }


def realm_from_dict(data: dict[str, Any], fault_seed: int = 0) -> Realm:
    if data.get("version") != VERSION:
        raise ValueError(f"unsupported realm snapshot version {data.get('version')!r}")
    settings = RealmSettings()
    settings.update(data["settings"])
    limits = RateLimits()
    limits.update(data["limits"])
    tokens = TokenStore.restore(data["tokens"])
    realm = Realm(data["realm_id"], tokens, settings, limits, fault_seed=fault_seed)
    for name, rows in data["tables"].items():
        for row in rows:
            realm.tables[name].put(
                Record(row["data"], float(row["changed_at"]), row["deleted"], row["voided"])
            )
    realm.doc_numbers = {doc: dict.fromkeys(ids) for doc, ids in data["doc_numbers"].items()}
    realm.customer_names = dict(data["customer_names"])
    realm.item_names = dict(data["item_names"])
    realm.next_id = int(data["next_id"])
    realm.next_doc_number = int(data["next_doc_number"])
    for key, status, body in data["replays"]:
        realm.replays.put(key, StoredResponse(int(status), body))
    return realm
