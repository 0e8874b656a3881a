"""`sync.connections.v1` (internal): a tenant's QuickBooks connection, gateway -> worker.

The refresh token travels encrypted (Fernet, `TOKEN_ENCRYPTION_KEYS` shared by the gateway
and the worker), so it is never readable on the broker or in logs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from services.contract.common import EventEnvelope, Text


class QuickBooksConnectionRequested(EventEnvelope):
    event_type: Literal["quickbooks.connection.requested"] = "quickbooks.connection.requested"
    realm_id: Text = Field(min_length=1, max_length=32)
    refresh_token_encrypted: Text = Field(min_length=1, description="Fernet token.")
    requested_by: Text = Field(min_length=1, max_length=200)


class QuickBooksDisconnectRequested(EventEnvelope):
    """The tenant's tokens are to be destroyed; later units answer `NOT_CONNECTED`."""

    event_type: Literal["quickbooks.disconnect.requested"] = "quickbooks.disconnect.requested"
    requested_by: Text = Field(min_length=1, max_length=200)


ConnectionEvent = Annotated[
    QuickBooksConnectionRequested | QuickBooksDisconnectRequested,
    Field(discriminator="event_type"),
]
