-- Push batches, their invoices, the per-batch change log, tokens and QuickBooks realms.

CREATE TABLE push_batches (
    batch_id        uuid PRIMARY KEY,
    tenant_id       text NOT NULL,
    origin          text NOT NULL,          -- api | kafka | result (whichever came first)
    requested_by    text,
    request_seen    boolean NOT NULL DEFAULT false,
    retry_of        uuid,
    total           integer,
    succeeded       integer NOT NULL DEFAULT 0,
    failed          integer NOT NULL DEFAULT 0,
    skipped         integer NOT NULL DEFAULT 0,
    last_seq        bigint NOT NULL DEFAULT 0,
    started_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    first_result_at timestamptz,
    last_result_at  timestamptz,
    completed_at    timestamptz
);
CREATE INDEX push_batches_tenant ON push_batches (tenant_id, started_at DESC);

CREATE TABLE push_batch_invoices (
    batch_id        uuid NOT NULL REFERENCES push_batches (batch_id),
    invoice_id      text NOT NULL,
    position        integer NOT NULL DEFAULT 2147483647,
    status          text NOT NULL DEFAULT 'pending',
    external_id     text,
    external_number text,
    error_code      text,
    error_message   text,
    error_retryable boolean,
    result_event_id uuid,
    result_at       timestamptz,
    seq             bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (batch_id, invoice_id)
);
CREATE INDEX push_batch_invoices_order ON push_batch_invoices (batch_id, position, invoice_id);
CREATE INDEX push_batch_invoices_status
    ON push_batch_invoices (batch_id, status, position, invoice_id);
-- Dry runs look for invoices of unfinished batches.
CREATE INDEX push_batch_invoices_pending ON push_batch_invoices (invoice_id)
    WHERE status = 'pending';

-- One row per change of a batch, numbered per batch in commit order (the batch row is
-- locked while a change is written): SSE ids and Last-Event-ID replay.
CREATE TABLE push_batch_changes (
    batch_id   uuid NOT NULL REFERENCES push_batches (batch_id),
    seq        bigint NOT NULL,
    kind       text NOT NULL,               -- invoice | progress
    payload    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, seq)
);

CREATE TABLE api_tokens (
    token_id   uuid PRIMARY KEY,
    tenant_id  text NOT NULL,
    role       text NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id);

-- Which QuickBooks company (realm) each tenant connected: routes webhooks. No secrets.
CREATE TABLE quickbooks_connections (
    tenant_id    text PRIMARY KEY,
    realm_id     text NOT NULL,
    requested_by text NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quickbooks_connections_realm ON quickbooks_connections (realm_id);
