-- Outbox rows Kafka can never accept (too large for their topic, or refused for good by
-- the broker). They are moved here instead of blocking every row behind them; the reason
-- says why. Replay after fixing the cause: README "Poison input" (INSERT ... SELECT back
-- into outbox, then DELETE here).
CREATE TABLE parked_messages (
    id          bigserial PRIMARY KEY,
    outbox_id   bigint,
    topic       text NOT NULL,
    key         bytea,
    value       bytea NOT NULL,
    headers     jsonb NOT NULL DEFAULT '[]',
    size_bytes  integer NOT NULL,
    reason      text NOT NULL,
    created_at  timestamptz NOT NULL,
    parked_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX parked_messages_parked_at ON parked_messages (parked_at);
