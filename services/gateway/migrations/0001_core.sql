-- What the External Number column needs. The outbox and the consumed-event dedup come from the
-- platform migration (services/platform/migrations), applied before this file.

-- Latest result per invoice (any trigger), newest by the result's occurred_at.
CREATE TABLE invoice_sync_status (
    tenant_id       text NOT NULL,
    invoice_id      text NOT NULL,
    invoice_version integer,
    external_id     text,
    external_number text,
    last_event_id   uuid NOT NULL,
    last_event_type text NOT NULL,
    last_operation  text NOT NULL,
    last_trigger    text NOT NULL,
    last_batch_id   uuid,
    last_error      jsonb,
    last_result_at  timestamptz NOT NULL,
    last_synced_at  timestamptz,
    PRIMARY KEY (tenant_id, invoice_id)
);
