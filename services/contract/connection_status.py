"""`sync.connection-status.v1` (internal): the worker reports each change of a tenant's
QuickBooks connection, so the gateway can show it and refuse pushes that cannot succeed.

Keyed by tenant and written through the worker's outbox in the transaction that changed
the connection, so a tenant's events arrive in the order they happened.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from services.contract.common import EventEnvelope, Text, UtcDatetime


class ConnectionState(StrEnum):
    CONNECTED = "connected"
    BROKEN = "broken"
    DISCONNECTED = "disconnected"


class QuickBooksConnectionStatusChanged(EventEnvelope):
    event_type: Literal["quickbooks.connection.status-changed"] = (
        "quickbooks.connection.status-changed"
    )
    status: ConnectionState
    realm_id: Text | None = Field(default=None, max_length=32)
    reason: Text | None = Field(
        default=None,
        max_length=200,
        description="Why it is broken, e.g. `invalid_grant` (Intuit's OAuth error).",
    )
    token_version: int = Field(ge=0, description="Grows with every stored token pair.")
    connected_at: UtcDatetime | None = None
    refresh_token_rotated_at: UtcDatetime | None = Field(
        default=None, description="When the worker last stored a rotated refresh token."
    )
