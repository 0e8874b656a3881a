"""One QuickBooks company (realm): entities, indexes, settings and per-realm runtime state.

All mutation happens in synchronous methods; under asyncio there is no await between a
check and a write, so each API operation is atomic without locks.
"""

from __future__ import annotations

from collections.abc import Iterator

from .clock import qbo_timestamp
from .entities import Record, Table, metadata
from .errors import JsonDict
from .events import ChangeEvent, EventSink, discard_event
from .faults import FaultInjector
from .idempotency import ReplayCache
from .latency import LatencyProfile
from .settings import RateLimits, RealmSettings
from .stats import RealmStats
from .throttle import Throttle
from .tokens import TokenStore

ENTITIES = ("Invoice", "Customer", "Item")


class Realm:
    def __init__(
        self,
        realm_id: str,
        tokens: TokenStore,
        settings: RealmSettings | None = None,
        limits: RateLimits | None = None,
        sink: EventSink = discard_event,
        fault_seed: int = 0,
    ) -> None:
        self.realm_id = realm_id
        self.tokens = tokens
        self.settings = settings or RealmSettings()
        self.limits = limits or RateLimits()
        self.sink = sink
        self.tables: dict[str, Table] = {name: Table(name) for name in ENTITIES}
        # DocNumber -> ids of live invoices using it (several only when duplicates are allowed)
        self.doc_numbers: dict[str, dict[str, None]] = {}
        self.customer_names: dict[str, str] = {}
        self.item_names: dict[str, str] = {}
        self.next_id = 1
        self.next_doc_number = 1001
        self.throttle = Throttle(self.limits)
        self.stats = RealmStats()
        self.faults = FaultInjector(seed=fault_seed)
        self.replays = ReplayCache(self.settings.replay_cache_size)
        # Own latency profile (None: the global one), or latency switched off for this realm.
        self.latency: LatencyProfile | None = None
        self.latency_off = False

    @property
    def invoices(self) -> Table:
        return self.tables["Invoice"]

    @property
    def customers(self) -> Table:
        return self.tables["Customer"]

    @property
    def items(self) -> Table:
        return self.tables["Item"]

    def allocate_id(self) -> str:
        value = self.next_id
        self.next_id += 1
        return str(value)

    def allocate_doc_number(self) -> str:
        while str(self.next_doc_number) in self.doc_numbers:
            self.next_doc_number += 1
        value = str(self.next_doc_number)
        self.next_doc_number += 1
        return value

    def timestamp(self, now: float) -> str:
        return qbo_timestamp(now, self.settings.tz_offset_minutes)

    def insert(self, entity: str, fields: JsonDict, now: float) -> Record:
        """A new entity of `fields` with what QBO gives every new one: the next Id,
        SyncToken 0 and both MetaData times now. The caller indexes it, then emits."""
        stamp = self.timestamp(now)
        data: JsonDict = {
            "Id": self.allocate_id(),
            "SyncToken": "0",
            "domain": "QBO",
            "sparse": False,
            **fields,
            "MetaData": metadata(stamp, stamp),
        }
        record = Record(data=data, changed_at=now)
        self.tables[entity].put(record)
        return record

    def emit(self, entity: str, record: Record, operation: str, now: float) -> None:
        self.sink(ChangeEvent(self.realm_id, entity, record.id, operation, self.timestamp(now)))

    def all_records(self) -> Iterator[tuple[str, Record]]:
        for name, table in self.tables.items():
            for record in table.rows.values():
                yield name, record
