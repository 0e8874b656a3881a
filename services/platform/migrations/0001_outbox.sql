-- The tables of the platform's own code, in every service's schema: `processed_events`
-- (ingest's consumed-event dedup), `outbox` (rows written in the same transaction as the
-- state change they report; the relay publishes and then deletes them) and `parked_messages`
-- (outbox rows Kafka can never accept: too large for their topic, or refused for good by the
-- broker; the reason says why. Replay after fixing the cause: README "Poison input",
-- INSERT ... SELECT back into outbox, then DELETE here).
--
-- apply_migrations applies this before the service's own files and records it as
-- `platform/0001_outbox.sql`. Until then each service created these tables itself (gateway
-- 0001_core + 0003_parked_messages, sync_worker 0001_core + 0006_parked_messages) with the same
-- DDL as below; no later migration alters them. Hence IF NOT EXISTS: on an install made before,
-- the tables exist and this is a no-op (the old files stay recorded, nothing re-runs); on a fresh
-- install it creates them exactly as those files did. The two parked_messages files are gone;
-- old installs keep their names recorded, so never reuse those names. Never change a table here
-- in place: add a new platform file.

CREATE TABLE IF NOT EXISTS processed_events (
    event_id     uuid PRIMARY KEY,
    topic        text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS outbox (
    id         bigserial PRIMARY KEY,
    topic      text NOT NULL,
    key        bytea,
    value      bytea NOT NULL,
    headers    jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS parked_messages (
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
CREATE INDEX IF NOT EXISTS parked_messages_parked_at ON parked_messages (parked_at);
