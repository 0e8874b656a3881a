"""`requestid` replay cache: the original status and body, per realm, bounded in size."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from .errors import JsonDict

MAX_REQUEST_ID_LENGTH = 50
MAX_BATCH_REQUEST_ID_LENGTH = 36


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: JsonDict


class ReplayCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, StoredResponse] = OrderedDict()

    def get(self, key: str) -> StoredResponse | None:
        return self._entries.get(key)

    def put(self, key: str, response: StoredResponse) -> None:
        self._entries[key] = response
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def items(self) -> list[tuple[str, StoredResponse]]:
        return list(self._entries.items())

    def __len__(self) -> int:
        return len(self._entries)


def batch_item_key(request_id: str, batch_id: str) -> str:
    return f"{request_id}\x00{batch_id}"
