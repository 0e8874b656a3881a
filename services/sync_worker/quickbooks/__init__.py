"""Async QuickBooks Online client for the sync worker.

Use `QuickBooksService` (one per process) and the tenant-bound `QuickBooksClient` it hands
out; every failure is a `QuickBooksError` carrying a stable `ErrorCode`.
"""

from .client import OnStale, QuickBooksClient
from .config import QuickBooksConfig
from .errors import (
    QuickBooksAuthError,
    QuickBooksDuplicateNameError,
    QuickBooksError,
    QuickBooksNotConnectedError,
    QuickBooksStaleObjectError,
)
from .metrics import MetricsHook, RequestMetric
from .models import (
    Customer,
    DeletedObject,
    EmailAddress,
    Invoice,
    InvoiceChanges,
    Item,
    Line,
    MemoRef,
    MetaData,
    Ref,
    SalesItemLineDetail,
)
from .rate_limit import RateDecision, RateGate, RealmNotHeld, RealmRateLimiter
from .requestid import MAX_REQUEST_ID_LENGTH, derive_request_id
from .service import QuickBooksService
from .store import ConnectionInfo, ConnectionStatus

__all__ = [
    "MAX_REQUEST_ID_LENGTH",
    "ConnectionInfo",
    "ConnectionStatus",
    "Customer",
    "DeletedObject",
    "EmailAddress",
    "Invoice",
    "InvoiceChanges",
    "Item",
    "Line",
    "MemoRef",
    "MetaData",
    "MetricsHook",
    "OnStale",
    "QuickBooksAuthError",
    "QuickBooksClient",
    "QuickBooksConfig",
    "QuickBooksDuplicateNameError",
    "QuickBooksError",
    "QuickBooksNotConnectedError",
    "QuickBooksService",
    "QuickBooksStaleObjectError",
    "RateDecision",
    "RateGate",
    "RealmNotHeld",
    "RealmRateLimiter",
    "Ref",
    "RequestMetric",
    "SalesItemLineDetail",
    "derive_request_id",
]
