-- The error inbox: the latest state of every invoice of a tenant (a push request marks
-- its invoices pending; a newer result replaces the state), newest first.
CREATE TABLE invoice_inbox (
    tenant_id       text NOT NULL,
    invoice_id      text NOT NULL,
    status          text NOT NULL,          -- pending | succeeded | failed | skipped
    trigger         text NOT NULL,          -- auto | push
    operation       text,
    invoice_version integer,
    external_id     text,
    external_number text,
    error_code      text,
    error           jsonb,
    batch_id        uuid,
    event_id        uuid NOT NULL,
    state_at        timestamptz NOT NULL,   -- when the state happened (event occurred_at)
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, invoice_id)
);
CREATE INDEX invoice_inbox_newest ON invoice_inbox (tenant_id, state_at DESC, invoice_id DESC);
CREATE INDEX invoice_inbox_status
    ON invoice_inbox (tenant_id, status, state_at DESC, invoice_id DESC);

-- Every failed result (not only the latest per invoice), for the ops dashboard's
-- failures per hour/day; rows older than a week are pruned.
CREATE TABLE sync_failures (
    event_id    uuid PRIMARY KEY,
    tenant_id   text NOT NULL,
    invoice_id  text NOT NULL,
    code        text NOT NULL,
    trigger     text NOT NULL,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX sync_failures_recent ON sync_failures (occurred_at);

-- Start from what the gateway already knows.
INSERT INTO invoice_inbox (tenant_id, invoice_id, status, trigger, operation, invoice_version,
                           external_id, external_number, error_code, error, batch_id,
                           event_id, state_at)
SELECT tenant_id, invoice_id,
       CASE last_event_type WHEN 'invoice.sync.succeeded' THEN 'succeeded'
                            WHEN 'invoice.sync.failed' THEN 'failed' ELSE 'skipped' END,
       last_trigger, last_operation, invoice_version, external_id, external_number,
       last_error->>'code', last_error, last_batch_id, last_event_id, last_result_at
FROM invoice_sync_status;
