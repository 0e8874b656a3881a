-- Ingest and tenant state. The outbox and the consumed-event dedup come from the platform
-- migration (services/platform/migrations), applied before this file.

CREATE TABLE tenants (
    tenant_id             text PRIMARY KEY,
    manual_push           boolean NOT NULL DEFAULT false,
    invoice_number_prefix text,
    conflict_policy       text NOT NULL DEFAULT 'report',
    updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product_mappings (
    tenant_id          text NOT NULL,
    product_id         text NOT NULL,
    product_name       text NOT NULL,
    quickbooks_item_id text,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, product_id)
);

-- The newest snapshot of every invoice seen, whatever the tenant's mode.
CREATE TABLE invoice_snapshots (
    tenant_id   text NOT NULL,
    invoice_id  text NOT NULL,
    version     integer NOT NULL,
    event_type  text NOT NULL,
    snapshot    jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, invoice_id)
);
