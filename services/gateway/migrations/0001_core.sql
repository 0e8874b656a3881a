-- Consumed-event dedup, the outbox, and what the External Number column needs.

CREATE TABLE processed_events (
    event_id     uuid PRIMARY KEY,
    topic        text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    topic      text NOT NULL,
    key        bytea,
    value      bytea NOT NULL,
    headers    jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now()
);

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
