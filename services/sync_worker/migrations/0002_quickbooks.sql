-- QuickBooks Online connections (OAuth tokens, encrypted) and the shared per-realm budget.

CREATE TABLE quickbooks_connections (
    tenant_id                 text PRIMARY KEY,
    realm_id                  text NOT NULL,
    -- Fernet ciphertexts; never stored or logged in clear.
    refresh_token_enc         bytea NOT NULL,
    access_token_enc          bytea,
    access_token_expires_at   timestamptz,
    refresh_token_expires_at  timestamptz,
    status                    text NOT NULL DEFAULT 'connected'
                              CHECK (status IN ('connected', 'broken')),
    broken_reason             text,
    -- Bumped on every stored rotation; lets a writer detect that another one got there first.
    token_version             bigint NOT NULL DEFAULT 1,
    connected_at              timestamptz NOT NULL DEFAULT now(),
    refreshed_at              timestamptz,
    updated_at                timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX quickbooks_connections_realm_idx ON quickbooks_connections (realm_id);

-- One row per QuickBooks company. `grants` holds the epoch seconds of the most recent granted
-- (possibly future, i.e. booked) request slots, oldest first, so a single atomic upsert can
-- enforce "at most N per second and M per minute" over sliding windows for every replica.
CREATE TABLE quickbooks_rate_budgets (
    realm_id      text PRIMARY KEY,
    grants        double precision[] NOT NULL DEFAULT '{}',
    last_granted  boolean NOT NULL DEFAULT true,
    last_wait     double precision NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
