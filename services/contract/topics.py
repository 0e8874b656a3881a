"""Topic names and message keys of contract v1."""

from __future__ import annotations

from enum import StrEnum


class Topic(StrEnum):
    INVOICES = "mediaos.invoices.v1"
    SETTINGS = "mediaos.settings.v1"
    PUSH_REQUESTS = "sync.push-requests.v1"
    RESULTS = "sync.results.v1"
    QUICKBOOKS_INVOICE_CHANGES = "quickbooks.invoice-changes.v1"
    QUICKBOOKS_WEBHOOKS = "quickbooks.webhooks.v1"
    CONNECTIONS = "sync.connections.v1"
    RECONCILIATION_REQUESTS = "sync.reconciliation-requests.v1"
    RECONCILIATIONS = "sync.reconciliations.v1"
    CONNECTION_STATUS = "sync.connection-status.v1"
    DEAD_LETTERS = "sync.dead-letters.v1"


def invoice_key(tenant_id: str, invoice_id: str) -> bytes:
    return f"{tenant_id}:{invoice_id}".encode()


def tenant_key(tenant_id: str) -> bytes:
    return tenant_id.encode()


class DeadLetterHeader(StrEnum):
    """Headers on a `sync.dead-letters.v1` record; its key and value are the original's."""

    SOURCE_TOPIC = "dlq.source.topic"
    SOURCE_PARTITION = "dlq.source.partition"
    SOURCE_OFFSET = "dlq.source.offset"
    ERROR_CLASS = "dlq.error.class"
    ERROR_MESSAGE = "dlq.error.message"
    FAILED_BY = "dlq.failed.by"
    FAILED_AT = "dlq.failed.at"
    # Only on a record larger than the dead-letter copy keeps (services/contract/limits.py).
    TRUNCATED = "dlq.truncated"
    ORIGINAL_SIZE = "dlq.original.size"
    ORIGINAL_SHA256 = "dlq.original.sha256"
