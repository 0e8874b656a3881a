"""Stored entities: the QBO-shaped JSON object plus bookkeeping the API does not show."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .errors import JsonDict, object_not_found, required_param, stale_object


@dataclass
class Record:
    data: JsonDict
    changed_at: float
    deleted: bool = False
    voided: bool = False

    @property
    def id(self) -> str:
        return str(self.data["Id"])

    @property
    def sync_token(self) -> str:
        return str(self.data["SyncToken"])

    def next_version(self, data: JsonDict, updated_time: str, now: float) -> None:
        """`data` becomes the record, with the next SyncToken and LastUpdatedTime."""
        self.data = {
            **data,
            "SyncToken": next_sync_token(self.sync_token),
            "MetaData": metadata(self.data["MetaData"]["CreateTime"], updated_time),
        }
        self.changed_at = now


class Table:
    """Entities of one type keyed by Id; insertion order equals Id order."""

    def __init__(self, entity: str) -> None:
        self.entity = entity
        self.rows: dict[str, Record] = {}

    def get(self, entity_id: str) -> Record | None:
        return self.rows.get(entity_id)

    def existing(self, entity_id: object) -> Record:
        """The record unless it is unknown or deleted (then QBO's 610 Object Not Found)."""
        record = self.rows.get(str(entity_id))
        if record is None or record.deleted:
            raise object_not_found(self.entity, str(entity_id))
        return record

    def current(self, body: JsonDict) -> Record:
        """The record `body` names (`Id`) when `body`'s SyncToken is its current one
        (else 2020 for no SyncToken, 610, or 5010 Stale Object)."""
        if body.get("SyncToken") is None:
            raise required_param("SyncToken")
        record = self.existing(body.get("Id"))
        if str(body["SyncToken"]) != record.sync_token:
            raise stale_object(record.id, str(body["SyncToken"]), record.sync_token)
        return record

    def put(self, record: Record) -> None:
        self.rows[record.id] = record

    def live(self) -> Iterator[Record]:
        return (r for r in self.rows.values() if not r.deleted)

    def __len__(self) -> int:
        return len(self.rows)


def metadata(create_time: str, updated_time: str) -> JsonDict:
    return {"CreateTime": create_time, "LastUpdatedTime": updated_time}


def next_sync_token(token: str) -> str:
    return str(int(token) + 1)


def ref_value(value: object) -> str | None:
    """The `value` of a QBO reference object like `{"value": "59", "name": "..."}`."""
    if isinstance(value, dict):
        inner = value.get("value")
        if isinstance(inner, str | int) and not isinstance(inner, bool) and str(inner) != "":
            return str(inner)
    return None
