"""A tenant's QuickBooks connection as the gateway knows it (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ConnectionStatus(StrEnum):
    CONNECTING = "connecting"  # handed to the worker, not confirmed yet
    CONNECTED = "connected"
    BROKEN = "broken"  # QuickBooks refused the tokens (reason: e.g. invalid_grant)
    NOT_CONNECTED = "not_connected"  # never connected, or disconnected


@dataclass(frozen=True, slots=True)
class Connection:
    tenant_id: str
    realm_id: str | None
    status: ConnectionStatus
    reason: str | None
    connected_at: datetime | None
    refresh_token_rotated_at: datetime | None
    last_success_at: datetime | None
    status_at: datetime


def stored_status(value: str) -> ConnectionStatus:
    """`disconnected` (worker event or DELETE) reads as not connected."""
    if value == "disconnected":
        return ConnectionStatus.NOT_CONNECTED
    return ConnectionStatus(value)


def accepts_pushes(connection: Connection | None) -> bool:
    """A push can only succeed for a connection being made or made; never for none or a
    broken one (every invoice would fail NOT_CONNECTED or QBO_AUTH)."""
    return connection is not None and connection.status in (
        ConnectionStatus.CONNECTING,
        ConnectionStatus.CONNECTED,
    )
