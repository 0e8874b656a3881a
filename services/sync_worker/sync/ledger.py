"""SQL for `invoice_ledger` (MediaOS invoice <-> QuickBooks invoice) and `customer_links`."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.platform.rows import json_column, record_of, unnest_arrays
from services.sync_worker.sync.completion import LedgerRecord, LedgerStatus


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    tenant_id: str
    invoice_id: str
    realm_id: str
    generation: int
    external_id: str | None
    external_number: str | None
    sync_token: str | None
    synced_version: int | None
    status: LedgerStatus
    fingerprint: dict[str, Any] | None
    last_inbound_token: str | None
    create_pending: bool = False


@dataclass(frozen=True, slots=True)
class CustomerLink:
    """The QuickBooks customer a MediaOS customer is linked to in one company."""

    tenant_id: str
    customer_id: str
    realm_id: str
    quickbooks_id: str
    display_name: str


def entry_of(row: asyncpg.Record) -> LedgerEntry:
    """The ledger entry in a row holding invoice_ledger's columns."""
    return record_of(
        LedgerEntry,
        row,
        status=LedgerStatus(row["status"]),
        fingerprint=json_column(row["fingerprint"]),
    )


async def get(conn: asyncpg.Connection, tenant_id: str, invoice_id: str) -> LedgerEntry | None:
    row = await conn.fetchrow(
        "SELECT * FROM invoice_ledger WHERE tenant_id = $1 AND invoice_id = $2",
        tenant_id,
        invoice_id,
    )
    return entry_of(row) if row else None


async def by_external_id(
    conn: asyncpg.Connection, tenant_id: str, realm_id: str, external_id: str
) -> LedgerEntry | None:
    row = await conn.fetchrow(
        "SELECT * FROM invoice_ledger WHERE tenant_id = $1 AND realm_id = $2 AND external_id = $3",
        tenant_id,
        realm_id,
        external_id,
    )
    return entry_of(row) if row else None


async def record_write(conn: asyncpg.Connection, write: LedgerRecord) -> None:
    await record_writes(conn, [write])


async def record_writes(conn: asyncpg.Connection, writes: Sequence[LedgerRecord]) -> None:
    """`record_write` for many invoices (at most one write each) in one statement: a group
    commit costs one round trip for its ledger, whatever its size."""
    if not writes:
        return
    await conn.execute(
        """
        INSERT INTO invoice_ledger AS l (tenant_id, invoice_id, realm_id, generation,
            external_id, external_number, sync_token, synced_version, status, fingerprint,
            last_synced_at, updated_at)
        SELECT w.tenant_id, w.invoice_id, w.realm_id, w.generation, w.external_id,
            w.external_number, w.sync_token, w.synced_version, w.status, w.fingerprint::jsonb,
            now(), now()
        FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[],
                    $7::text[], $8::int[], $9::text[], $10::text[])
            AS w(tenant_id, invoice_id, realm_id, generation, external_id, external_number,
                 sync_token, synced_version, status, fingerprint)
        ON CONFLICT (tenant_id, invoice_id) DO UPDATE SET
            realm_id = EXCLUDED.realm_id, generation = EXCLUDED.generation,
            external_id = EXCLUDED.external_id, external_number = EXCLUDED.external_number,
            sync_token = EXCLUDED.sync_token,
            synced_version = COALESCE(EXCLUDED.synced_version, l.synced_version),
            status = EXCLUDED.status,
            fingerprint = COALESCE(EXCLUDED.fingerprint, l.fingerprint),
            create_pending = false, last_synced_at = now(), updated_at = now()
        """,
        *unnest_arrays(
            writes,
            "tenant_id",
            "invoice_id",
            "realm_id",
            "generation",
            "external_id",
            "external_number",
            "sync_token",
            "synced_version",
            "status",
        ),
        [json.dumps(w.fingerprint) if w.fingerprint is not None else None for w in writes],
    )


async def mark_create_pending(
    conn: asyncpg.Connection, tenant_id: str, invoice_id: str, realm_id: str, generation: int
) -> None:
    await conn.execute(
        """
        INSERT INTO invoice_ledger (tenant_id, invoice_id, realm_id, generation, create_pending)
        VALUES ($1, $2, $3, $4, true)
        ON CONFLICT (tenant_id, invoice_id) DO UPDATE SET
            create_pending = true, realm_id = EXCLUDED.realm_id,
            generation = EXCLUDED.generation, external_id = NULL, sync_token = NULL,
            status = 'active', updated_at = now()
        """,
        tenant_id,
        invoice_id,
        realm_id,
        generation,
    )


async def record_inbound_if_new(
    conn: asyncpg.Connection,
    tenant_id: str,
    invoice_id: str,
    sync_token: str,
    status: LedgerStatus,
) -> bool:
    """Remembers a QuickBooks-side change once. False when it is our own write or was already
    reported (webhook and CDC both see changes): then nothing is published. The caller first
    checks that none of our writes to the invoice is in flight (`work_items`)."""
    changed = await conn.fetchval(
        """
        UPDATE invoice_ledger l SET last_inbound_token = $3,
            status = CASE WHEN $4 = 'deleted' THEN 'deleted' ELSE l.status END,
            updated_at = now()
        WHERE l.tenant_id = $1 AND l.invoice_id = $2
          AND l.sync_token IS DISTINCT FROM $3
          AND l.last_inbound_token IS DISTINCT FROM $3
          AND ($4 <> 'deleted' OR l.status <> 'deleted')
        RETURNING true
        """,
        tenant_id,
        invoice_id,
        sync_token,
        status.value,
    )
    return bool(changed)


async def forget_deleted(
    conn: asyncpg.Connection, tenant_id: str, invoice_id: str, generation: int
) -> None:
    """The QuickBooks invoice is gone; a later push creates a new one (next generation)."""
    await conn.execute(
        "UPDATE invoice_ledger SET status = 'deleted', external_id = NULL, sync_token = NULL, "
        "generation = $3, updated_at = now() WHERE tenant_id = $1 AND invoice_id = $2",
        tenant_id,
        invoice_id,
        generation,
    )


async def reject_create(
    conn: asyncpg.Connection, tenant_id: str, invoice_id: str, generation: int
) -> None:
    """QuickBooks refused the create of `generation`, so nothing exists under its request id:
    the next create uses the next generation (a fresh request id). No-op if something was
    recorded for the invoice since."""
    await conn.execute(
        "UPDATE invoice_ledger SET generation = $3 + 1, create_pending = false, "
        "updated_at = now() WHERE tenant_id = $1 AND invoice_id = $2 AND generation = $3 "
        "AND external_id IS NULL",
        tenant_id,
        invoice_id,
        generation,
    )


async def customer_link(
    conn: asyncpg.Connection, tenant_id: str, customer_id: str, realm_id: str
) -> str | None:
    value: str | None = await conn.fetchval(
        "SELECT quickbooks_id FROM customer_links WHERE tenant_id = $1 AND customer_id = $2 "
        "AND realm_id = $3",
        tenant_id,
        customer_id,
        realm_id,
    )
    return value


async def save_customer_link(conn: asyncpg.Connection, link: CustomerLink) -> None:
    await conn.execute(
        """
        INSERT INTO customer_links (tenant_id, customer_id, realm_id, quickbooks_id, display_name)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (tenant_id, customer_id, realm_id) DO UPDATE SET
            quickbooks_id = EXCLUDED.quickbooks_id, display_name = EXCLUDED.display_name
        """,
        link.tenant_id,
        link.customer_id,
        link.realm_id,
        link.quickbooks_id,
        link.display_name,
    )


@dataclass(frozen=True, slots=True)
class QuickBooksCopy:
    """What QuickBooks holds of an invoice we wrote: its number and the version sent."""

    external_number: str | None
    synced_version: int | None


async def copies_in_quickbooks(
    conn: asyncpg.Connection, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], QuickBooksCopy]:
    """Of these (tenant, invoice) keys, the invoices QuickBooks holds a live copy of."""
    if not keys:
        return {}
    rows = await conn.fetch(
        "SELECT l.tenant_id, l.invoice_id, l.external_number, l.synced_version"
        " FROM unnest($1::text[], $2::text[]) AS k(tenant_id, invoice_id)"
        " JOIN invoice_ledger l USING (tenant_id, invoice_id)"
        " WHERE l.external_id IS NOT NULL AND l.status <> 'deleted'",
        [tenant for tenant, _ in keys],
        [invoice for _, invoice in keys],
    )
    return {
        (r["tenant_id"], r["invoice_id"]): QuickBooksCopy(r["external_number"], r["synced_version"])
        for r in rows
    }
