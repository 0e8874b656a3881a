-- Reconciliation runs and their findings, as reported by the worker on
-- sync.reconciliations.v1 (one row per invoice compared).

CREATE TABLE reconciliations (
    reconciliation_id uuid PRIMARY KEY,
    tenant_id         text NOT NULL,
    requested_by      text NOT NULL,
    trigger           text NOT NULL,
    state             text NOT NULL DEFAULT 'queued'
                      CHECK (state IN ('queued', 'running', 'completed', 'failed')),
    phase             text NOT NULL DEFAULT 'queued',
    invoices_checked  integer NOT NULL DEFAULT 0,
    invoices_total    integer,
    quickbooks_calls  integer NOT NULL DEFAULT 0,
    realm_id          text,
    conflict_policy   text,
    categories        jsonb,
    totals            jsonb,
    error             text,
    requested_at      timestamptz NOT NULL,
    started_at        timestamptz,
    finished_at       timestamptz,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX reconciliations_tenant ON reconciliations (tenant_id, requested_at DESC);

CREATE TABLE reconciliation_findings (
    reconciliation_id    uuid NOT NULL REFERENCES reconciliations (reconciliation_id),
    position             integer NOT NULL,
    category             text NOT NULL,
    invoice_id           text,
    number               text,
    external_id          text,
    external_number      text,
    mediaos_total        numeric,
    quickbooks_total     numeric,
    differences          jsonb NOT NULL DEFAULT '[]',
    edited_in_quickbooks boolean,
    reason               text,
    detail               text,
    PRIMARY KEY (reconciliation_id, position)
);
CREATE INDEX reconciliation_findings_category
    ON reconciliation_findings (reconciliation_id, category, position);

-- Nightly reconciliation, per tenant (off unless turned on).
CREATE TABLE reconciliation_settings (
    tenant_id      text PRIMARY KEY,
    nightly        boolean NOT NULL DEFAULT false,
    last_nightly   date,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
