-- What the gateway knows of each tenant's QuickBooks connection: set to `connecting` by
-- PUT, `disconnected` by DELETE, and otherwise by the worker's status events.
ALTER TABLE quickbooks_connections
    ADD COLUMN status                   text NOT NULL DEFAULT 'connecting',
    ADD COLUMN reason                   text,
    ADD COLUMN connected_at             timestamptz,
    ADD COLUMN refresh_token_rotated_at timestamptz,
    ADD COLUMN token_version            integer,
    ADD COLUMN status_at                timestamptz NOT NULL DEFAULT now(),
    -- Newest successful sync result: the last call QuickBooks answered with success.
    ADD COLUMN last_success_at          timestamptz;
CREATE INDEX quickbooks_connections_status ON quickbooks_connections (status);
