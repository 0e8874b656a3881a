-- Units of work, the MediaOS <-> QuickBooks ledger, and per-tenant sync state.

-- One row per unit of work: an automatic sync of an invoice version, one invoice of a push
-- batch, an inbound QuickBooks change, or a tenant's CDC sweep. Executors in every replica
-- claim ready rows with FOR UPDATE SKIP LOCKED; a lease makes a dead replica's work return.
CREATE TABLE work_items (
    id              bigserial PRIMARY KEY,
    tenant_id       text NOT NULL,
    invoice_id      text,
    kind            text NOT NULL CHECK (kind IN ('auto', 'push', 'inbound', 'cdc')),
    priority        smallint NOT NULL,
    invoice_version integer,
    batch_id        uuid,
    batch_size      integer,
    payload         jsonb NOT NULL DEFAULT '{}',
    state           text NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'in_flight', 'done')),
    attempts        integer NOT NULL DEFAULT 0,
    not_before      timestamptz NOT NULL DEFAULT now(),
    lease_until     timestamptz,
    leased_by       text,
    outcome         text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);

-- A redelivered push request never queues an invoice of its batch twice.
CREATE UNIQUE INDEX work_items_batch_invoice ON work_items (batch_id, invoice_id)
    WHERE batch_id IS NOT NULL;
-- At most one pending CDC sweep per tenant.
CREATE UNIQUE INDEX work_items_one_cdc ON work_items (tenant_id)
    WHERE kind = 'cdc' AND state <> 'done';
CREATE INDEX work_items_ready ON work_items (tenant_id, priority, id) WHERE state = 'queued';
CREATE INDEX work_items_ready_tenants ON work_items (not_before) WHERE state = 'queued';
CREATE INDEX work_items_open_by_invoice ON work_items (tenant_id, invoice_id, id)
    WHERE state <> 'done';
CREATE INDEX work_items_leases ON work_items (lease_until) WHERE state = 'in_flight';

-- Which QuickBooks invoice mirrors which MediaOS invoice, and what we last wrote there.
CREATE TABLE invoice_ledger (
    tenant_id          text NOT NULL,
    invoice_id         text NOT NULL,
    realm_id           text NOT NULL,
    generation         integer NOT NULL DEFAULT 0,
    external_id        text,
    external_number    text,
    sync_token         text,
    synced_version     integer,
    status             text NOT NULL DEFAULT 'active'
                       CHECK (status IN ('active', 'voided', 'deleted')),
    fingerprint        jsonb,
    last_inbound_token text,
    last_synced_at     timestamptz,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, invoice_id)
);
CREATE INDEX invoice_ledger_external ON invoice_ledger (realm_id, external_id);

-- MediaOS customer -> QuickBooks customer, so a renamed or duplicate name is not re-created.
CREATE TABLE customer_links (
    tenant_id          text NOT NULL,
    customer_id        text NOT NULL,
    realm_id           text NOT NULL,
    quickbooks_id      text NOT NULL,
    display_name       text NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, realm_id)
);

CREATE TABLE tenant_sync_state (
    tenant_id     text PRIMARY KEY,
    cdc_cursor    timestamptz,
    last_cdc_at   timestamptz
);
