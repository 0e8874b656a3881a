-- Answers to POSTs sent with an Idempotency-Key, replayed when the same caller sends the
-- same key again within 24 hours. `caller` is a SHA-256 of the credential (never the token
-- itself); `fingerprint` a SHA-256 of method, path, query and body. `status` is NULL while
-- the first request is still being served.
CREATE TABLE idempotency_keys (
    caller        text NOT NULL,
    key           text NOT NULL,
    fingerprint   text NOT NULL,
    status        integer,
    content_type  text,
    location      text,
    body          bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
